package oci.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The short metadata commands (images, inspect, list, spec, validate) without picocli, for the
 * plain command lines people and scripts type. These commands do a few milliseconds of work; picocli
 * reading its annotations and building the command's model (annotation proxies made at run time,
 * its type converters, the help layout) cost more than twice that on every start. As FastRun and
 * FastPull do, this reads only the simplest spellings ({@link PlainCommandLine}); anything else
 * (help, a clustered or attached short option, a format written in capitals, a repeated option, an
 * unknown word) returns null, and picocli parses the line, errors and all. MainTest checks that both
 * parsers read the accepted lines alike.
 */
final class FastQuery {
    private FastQuery() {}

    /** The parsed command, or null when the line is not one this parser reads. */
    static PlainCommandLine.Parsed parse(String[] args) {
        String verb = verb(args);
        if (verb == null) return null;
        Main main = new Main();
        main.runtime = new RuntimeOptions();
        try {
            return switch (verb) {
                case "images" -> images(args, main);
                case "inspect" -> inspect(args, main);
                case "list" -> list(args, main);
                case "spec" -> spec(args, main);
                case "validate" -> validate(args, main);
                default -> null;
            };
        } catch (java.nio.file.InvalidPathException e) {
            return null; // picocli reports it
        }
    }

    /** The verbs read here. */
    private static final Set<String> VERBS = Set.of("images", "inspect", "list", "spec", "validate");

    /** The command line's verb ({@link Main#word}), if it is one of these. */
    private static String verb(String[] args) {
        String word = Main.word(args);
        return word != null && VERBS.contains(word) ? word : null;
    }

    private static PlainCommandLine.Parsed images(String[] args, Main main) {
        ImagesCommand c = new ImagesCommand();
        c.main = main;
        boolean plain = PlainCommandLine.read(args, "images", main, Set.of("--format"), Set.of(), Map.of(), new PlainCommandLine.Command() {
            @Override
            public boolean option(String name, String value) {
                if (!name.equals("--format")) return false;
                switch (value) {
                    case "table" -> c.format = ImagesCommand.Format.table;
                    case "json" -> c.format = ImagesCommand.Format.json;
                    default -> {
                        return false;
                    }
                }
                return true;
            }
        });
        return plain ? new PlainCommandLine.Parsed("images", c) : null;
    }

    private static PlainCommandLine.Parsed inspect(String[] args, Main main) {
        InspectCommand c = new InspectCommand();
        c.main = main;
        boolean plain = PlainCommandLine.read(args, "inspect", main, Set.of("--platform"), Set.of(), Map.of(), new PlainCommandLine.Command() {
            @Override
            public boolean option(String name, String value) {
                switch (name) {
                    case "--manifest" -> c.manifest = true;
                    case "--raw" -> c.raw = true;
                    case "--platform" -> c.platform = value;
                    default -> {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public boolean word(String word) {
                if (c.image != null) return false;
                c.image = word;
                return true;
            }
        });
        return plain && c.image != null ? new PlainCommandLine.Parsed("inspect", c) : null; // no image: picocli's usage error
    }

    private static PlainCommandLine.Parsed list(String[] args, Main main) {
        ListCommand c = new ListCommand();
        c.main = main;
        boolean plain = PlainCommandLine.read(args, "list", main, Set.of("-f", "--format"), Set.of(),
                Map.of("-f", "--format", "-q", "--quiet"), new PlainCommandLine.Command() {
                    @Override
                    public boolean option(String name, String value) {
                        switch (name) {
                            case "--quiet" -> c.quiet = true;
                            case "--format" -> {
                                if (value.equals("table")) c.format = ListCommand.Format.table;
                                else if (value.equals("json")) c.format = ListCommand.Format.json;
                                else return false;
                            }
                            default -> {
                                return false;
                            }
                        }
                        return true;
                    }
                });
        return plain ? new PlainCommandLine.Parsed("list", c) : null;
    }

    private static PlainCommandLine.Parsed spec(String[] args, Main main) {
        SpecCommand c = new SpecCommand();
        boolean plain = PlainCommandLine.read(args, "spec", main, Set.of("-b", "--bundle"), Set.of(), Map.of("-b", "--bundle"),
                new PlainCommandLine.Command() {
                    @Override
                    public boolean option(String name, String value) {
                        switch (name) {
                            case "--rootless" -> c.rootless = true;
                            case "--bundle" -> c.bundle = Path.of(value);
                            default -> {
                                return false;
                            }
                        }
                        return true;
                    }
                });
        return plain ? new PlainCommandLine.Parsed("spec", c) : null;
    }

    private static PlainCommandLine.Parsed validate(String[] args, Main main) {
        ValidateCommand c = new ValidateCommand();
        boolean[] named = {false};
        boolean plain = PlainCommandLine.read(args, "validate", main, Set.of(), Set.of(), Map.of(), new PlainCommandLine.Command() {
            @Override
            public boolean option(String name, String value) {
                return false;
            }

            @Override
            public boolean word(String word) {
                if (named[0]) return false;
                named[0] = true;
                c.bundle = Path.of(word);
                return true;
            }
        });
        return plain ? new PlainCommandLine.Parsed("validate", c) : null;
    }

    /** Runs the command line when this parser reads it; null otherwise (then picocli runs it). */
    static Integer tryRun(String[] args, PrintWriter out, PrintWriter err) {
        PlainCommandLine.Parsed p = parse(args);
        if (p == null) return null;
        try {
            // instanceof, not a pattern switch: that one bootstraps method handles on its first use
            Object c = p.command();
            if (c instanceof ImagesCommand i) return i.list(out);
            if (c instanceof InspectCommand i) return i.inspect(out);
            if (c instanceof ListCommand l) return l.list(out);
            if (c instanceof SpecCommand s) return s.call();
            return ((ValidateCommand) c).validate(out);
        } catch (Exception e) {
            out.flush();
            return Main.report(e, p.verb(), err);
        }
    }
}
