package dev.grapevine.conn.scheduler;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the scheduler asks about the machine's network on every tick: the set of non-loopback
 * addresses that are up. An empty set means no network (only loopback peers are dialled); a
 * different set than at the previous tick means the network changed, and every connection is reset
 * (ssb-conn's on-change-network). Inject a fake in tests; callers with their own signal can also
 * call {@link ConnScheduler#networkChanged()}.
 *
 * <p>Called on the scheduler's timer thread; must not block for long.
 */
@FunctionalInterface
public interface NetworkProbe {
  /**
   * The addresses of the interfaces that are up and not loopback, as {@code name/address} texts.
   *
   * @throws IOException if the interfaces cannot be listed (the tick then skips the check)
   */
  Set<String> addresses() throws IOException;

  /** The machine's interfaces, through {@link NetworkInterface}. */
  static NetworkProbe system() {
    return () -> {
      Set<String> out = new TreeSet<>();
      for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!ni.isUp() || ni.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
          String host = a.getHostAddress();
          int scope = host.indexOf('%');
          out.add(ni.getName() + "/" + (scope < 0 ? host : host.substring(0, scope)));
        }
      }
      return out;
    };
  }
}
