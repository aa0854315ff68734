package dev.grapevine.bench;

/**
 * The machine a benchmark ran on, reported next to its figures.
 *
 * @param cores available processors as the JVM sees them
 * @param java the Java runtime version
 * @param os operating system name and architecture
 */
public record Machine(int cores, String java, String os) {
  /** This machine. */
  public static Machine current() {
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.runtime.version", System.getProperty("java.version")),
        System.getProperty("os.name") + " " + System.getProperty("os.arch"));
  }

  /** For example {@code "2 cores, Java 17.0.15, Linux amd64"}. */
  public String describe() {
    return cores + (cores == 1 ? " core" : " cores") + ", Java " + java + ", " + os;
  }
}
