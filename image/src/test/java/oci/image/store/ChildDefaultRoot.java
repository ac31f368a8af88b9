package oci.image.store;

/** Prints the default store and config locations, in a child JVM with the environment a test chose ({@link DefaultRootTest}). */
public final class ChildDefaultRoot {
    private ChildDefaultRoot() {}

    public static void main(String[] args) {
        System.out.println(Store.defaultRoot());
        System.out.println(oci.image.UserDirs.configHome());
    }
}
