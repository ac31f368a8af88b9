package oci.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The synopsis, description, option list and command list of `--help`, wrapped at spaces only.
 * picocli wraps where java.text.BreakIterator allows, which is also after a dot, a slash or a
 * colon: "ghcr.\nio", "certs.\nd", "--platform=OS/ARCH\n[/VARIANT]"; a name, a path or an option
 * is kept whole here, and a line with one too long for the width runs over it.
 */
final class HelpLayout {
    static final int WIDTH = 80;
    /** Where descriptions start in the option list, unless the names are longer. */
    private static final int NAMES = 28;

    private HelpLayout() {}

    static void install(CommandLine cl) {
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS, HelpLayout::synopsis);
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_COMMAND_LIST, h -> commands(cl));
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_DESCRIPTION, h -> description(h.commandSpec()));
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_PARAMETER_LIST, h -> parameters(h.commandSpec()));
        cl.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST, h -> options(h.commandSpec()));
        for (CommandLine sub : cl.getSubcommands().values()) install(sub);
    }

    /** picocli's synopsis made on one line, then wrapped at its spaces, continued under the first option. */
    private static String synopsis(CommandLine.Help h) {
        CommandLine.Model.UsageMessageSpec u = h.commandSpec().usageMessage();
        int heading = h.synopsisHeadingLength();
        if (u.customSynopsis().length > 0) return h.synopsis(heading);
        int width = u.width();
        String line;
        try {
            u.width(10_000);
            line = h.synopsis(heading).strip();
        } finally {
            u.width(width);
        }
        String name = h.commandSpec().qualifiedName();
        if (!line.startsWith(name + " ")) return line + "\n";
        int indent = heading + name.length() + 1;
        List<String> lines = wrap(line.substring(name.length() + 1), WIDTH - indent);
        return name + " " + String.join("\n" + " ".repeat(indent), lines) + "\n";
    }

    /** The subcommands, each with its description's first paragraph (up to a line that ends a sentence). */
    private static String commands(CommandLine cl) {
        int names = 0;
        for (var e : cl.getSubcommands().entrySet()) {
            if (!e.getValue().getCommandSpec().usageMessage().hidden()) names = Math.max(names, e.getKey().length());
        }
        StringBuilder b = new StringBuilder();
        int column = 2 + names + 2;
        for (var e : cl.getSubcommands().entrySet()) {
            CommandSpec spec = e.getValue().getCommandSpec();
            if (spec.usageMessage().hidden()) continue;
            StringBuilder summary = new StringBuilder();
            // the header if there is one (picocli's help command has), else the description's start
            String[] text = spec.usageMessage().header().length > 0 ? spec.usageMessage().header() : spec.usageMessage().description();
            for (String d : text) {
                if (d.startsWith(" ")) break; // an example line
                summary.append(summary.isEmpty() ? "" : " ").append(d.strip());
                if (d.strip().endsWith(".")) break;
            }
            // picocli's texts are format strings
            List<String> lines = wrap(summary.toString().replace("%n", " ").replace("%%", "%"), WIDTH - column - 2);
            String left = "  " + e.getKey();
            for (int i = 0; i < lines.size(); i++) {
                String l = i == 0 ? left : "";
                b.append(l).append(" ".repeat(column - l.length() + (i == 0 ? 0 : 2))).append(lines.get(i)).append('\n');
            }
            if (lines.isEmpty()) b.append(left).append('\n');
        }
        return b.toString();
    }

    private static String description(CommandSpec spec) {
        StringBuilder b = new StringBuilder();
        for (String paragraph : spec.usageMessage().description()) {
            // a line indented in the source (an example command line) stays as written
            if (paragraph.startsWith(" ")) b.append(paragraph).append('\n');
            else for (String l : wrap(paragraph, WIDTH)) b.append(l).append('\n');
        }
        return b.toString();
    }

    private static String parameters(CommandSpec spec) {
        StringBuilder b = new StringBuilder();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.hidden() || p.description().length == 0) continue;
            row(b, "      " + p.paramLabel(), String.join(" ", p.description()));
        }
        return b.toString();
    }

    private static String options(CommandSpec spec) {
        List<OptionSpec> shown = new ArrayList<>();
        for (OptionSpec o : spec.options()) if (!o.hidden()) shown.add(o);
        if (spec.usageMessage().sortOptions()) shown.sort((x, y) -> key(x).compareTo(key(y)));
        StringBuilder b = new StringBuilder();
        for (OptionSpec o : shown) {
            String[] names = o.names();
            String shortName = names.length > 0 && !names[0].startsWith("--") ? names[0] : null;
            List<String> longNames = new ArrayList<>();
            for (String n : names) if (n.startsWith("--")) longNames.add(n);
            String label = o.arity().max() > 0 ? (o.arity().min() == 0 ? "[=" + o.paramLabel() + "]" : "=" + o.paramLabel()) : "";
            String left = "  " + (shortName != null ? shortName + (longNames.isEmpty() ? label : ", ") : "    ")
                    + String.join(", ", longNames) + (longNames.isEmpty() ? "" : label);
            row(b, left, String.join(" ", o.description()));
        }
        return b.toString();
    }

    private static String key(OptionSpec o) {
        return o.shortestName().replaceFirst("^-+", "").toLowerCase(java.util.Locale.ROOT);
    }

    /** NAMES, then the description wrapped beside it (under it when the names are longer). */
    private static void row(StringBuilder b, String left, String description) {
        List<String> lines = wrap(description, WIDTH - NAMES - 2);
        if (left.length() > NAMES - 2) {
            b.append(left).append('\n');
            left = "";
        }
        for (int i = 0; i < lines.size(); i++) {
            String l = i == 0 ? left : "";
            b.append(l).append(" ".repeat(NAMES - l.length() + (i == 0 ? 0 : 2))).append(lines.get(i)).append('\n');
        }
        if (lines.isEmpty()) b.append(left).append('\n');
    }

    /** Words joined into lines of at most {@code width} characters; a word is never split. */
    static List<String> wrap(String text, int width) {
        List<String> out = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String w : text.strip().split("\\s+")) {
            if (w.isEmpty()) continue;
            if (line.length() > 0 && line.length() + 1 + w.length() > width) {
                out.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(w);
        }
        if (line.length() > 0) out.add(line.toString());
        return out;
    }
}
