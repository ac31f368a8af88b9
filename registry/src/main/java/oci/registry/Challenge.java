package oci.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code WWW-Authenticate} challenge: the scheme (Bearer or Basic) and its parameters
 * (realm, service, scope). RFC 9110 §11.6.1; the token flow is distribution's token.md.
 */
record Challenge(String scheme, Map<String, String> params) {
    String realm() {
        return params.get("realm");
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }

    /** The first Bearer challenge among the headers, else the first Basic one, else null. */
    static Challenge pick(List<String> headers) {
        Challenge basic = null;
        for (String h : headers) {
            Challenge c = parse(h);
            if (c == null) continue;
            if (c.isBearer()) return c;
            if (c.isBasic() && basic == null) basic = c;
        }
        return basic;
    }

    static Challenge parse(String header) {
        String h = header.trim();
        int sp = h.indexOf(' ');
        String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(Locale.ROOT);
        if (scheme.isEmpty()) return null;
        Map<String, String> params = new LinkedHashMap<>();
        int i = sp < 0 ? h.length() : sp + 1;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) i++;
            int eq = h.indexOf('=', i);
            if (eq < 0) break;
            String key = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            i = eq + 1;
            StringBuilder v = new StringBuilder();
            if (i < h.length() && h.charAt(i) == '"') {
                for (i++; i < h.length() && h.charAt(i) != '"'; i++) {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) i++;
                    v.append(h.charAt(i));
                }
                i++;
            } else {
                for (; i < h.length() && h.charAt(i) != ','; i++) v.append(h.charAt(i));
            }
            params.put(key, v.toString().trim());
        }
        return new Challenge(scheme, params);
    }
}
