package oci.registry.auth;

/**
 * A user name and secret for one registry. {@code identityToken} is an OAuth2 refresh token some
 * registries hand out at login instead of keeping the password (docker config's {@code identitytoken}).
 * {@link #toString()} never shows the secret.
 */
public record Credential(String username, String secret, String identityToken) {
    public static Credential basic(String username, String password) {
        return new Credential(username, password, null);
    }

    public boolean hasIdentityToken() {
        return identityToken != null && !identityToken.isEmpty();
    }

    @Override
    public String toString() {
        return "Credential[" + username + ", secret redacted]";
    }
}
