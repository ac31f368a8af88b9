package oci.image;

import java.util.regex.Pattern;

/**
 * An image reference {@code [domain[:port]/]path[:tag][@digest]}, normalised the way Docker does:
 * {@code busybox} is {@code docker.io/library/busybox:latest}.
 *
 * @param domain registry host (and port), e.g. {@code docker.io} or {@code 127.0.0.1:5000}
 * @param path repository path, e.g. {@code library/busybox}
 * @param tag the tag, or null when only a digest was given
 * @param digest the digest, or null
 */
public record ImageRef(String domain, String path, String tag, Digest digest) {
    public static final String DOCKER_HUB = "docker.io";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?"
            + "|\\[[a-fA-F0-9:]+\\](?::[0-9]+)?");

    public static ImageRef parse(String s) {
        if (s == null || s.isEmpty()) throw new ImageException("invalid image reference \"\": empty");
        if (s.length() > 4096) throw new ImageException("invalid image reference: longer than 4096 characters");
        String rest = s;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Digest.parse(rest.substring(at + 1));
            } catch (ImageException e) {
                throw new ImageException("invalid image reference \"" + s + "\": " + e.getMessage());
            }
            rest = rest.substring(0, at);
        }
        String tag = null;
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) throw new ImageException("invalid image reference \"" + s + "\": invalid tag \"" + tag + "\"");
        }
        String domain;
        String path;
        int first = rest.indexOf('/');
        String head = first < 0 ? rest : rest.substring(0, first);
        if (first >= 0 && (head.contains(".") || head.contains(":") || head.equals("localhost") || head.startsWith("["))) {
            domain = head;
            path = rest.substring(first + 1);
            if (!DOMAIN.matcher(domain).matches()) {
                throw new ImageException("invalid image reference \"" + s + "\": invalid registry host \"" + domain + "\"");
            }
        } else {
            domain = DOCKER_HUB;
            path = rest;
        }
        if (domain.equals("index.docker.io")) domain = DOCKER_HUB;
        if (path.isEmpty()) throw new ImageException("invalid image reference \"" + s + "\": no repository name");
        for (String c : path.split("/", -1)) {
            if (!COMPONENT.matcher(c).matches()) {
                String why = !c.equals(c.toLowerCase()) ? "repository names must be lowercase" : "malformed path component \"" + c + "\"";
                throw new ImageException("invalid image reference \"" + s + "\": " + why);
            }
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) path = "library/" + path;
        if (path.length() > 255) throw new ImageException("invalid image reference \"" + s + "\": repository name longer than 255 characters");
        if (tag == null && digest == null) tag = "latest";
        return new ImageRef(domain, path, tag, digest);
    }

    /** Test and constant helper: parses a reference known to be valid. */
    public static ImageRef of(String constant) {
        return parse(constant);
    }

    /** {@code domain/path}, e.g. {@code docker.io/library/busybox}. */
    public String repository() {
        return domain + "/" + path;
    }

    /** The tag if there is one, else the digest: what a registry's manifests endpoint takes. */
    public String reference() {
        return digest != null ? digest.toString() : tag;
    }

    /** Docker's short form, {@code busybox:latest}, for display. */
    public String familiar() {
        String repo = domain.equals(DOCKER_HUB)
                ? (path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path)
                : repository();
        return repo + suffix();
    }

    public ImageRef withDigest(Digest d) {
        return new ImageRef(domain, path, tag, d);
    }

    private String suffix() {
        return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The canonical full form, used as the store's ref.name. */
    @Override
    public String toString() {
        return repository() + suffix();
    }
}
