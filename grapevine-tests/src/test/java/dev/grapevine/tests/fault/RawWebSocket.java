package dev.grapevine.tests.fault;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a plain blocking {@link Socket}, written by hand so that a test can break
 * the rules a real client keeps: stop reading, send half a frame, never answer a ping. It does the
 * opening handshake and writes masked text frames; reading is up to the test.
 *
 * <p>Not thread-safe: one test thread drives it.
 */
final class RawWebSocket implements AutoCloseable {
  /** The opcode of a close frame. */
  static final int CLOSE = 0x8;

  /** The opcode of a ping frame. */
  static final int PING = 0x9;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /**
   * Connects to {@code uri} (ws://host:port/), with a receive buffer of {@code receiveBuffer} bytes
   * (0 for the system's default) and reads that block at most {@code readTimeout}, and completes
   * the opening handshake.
   */
  static RawWebSocket connect(URI uri, int receiveBuffer, Duration readTimeout) {
    Socket s = new Socket();
    try {
      if (receiveBuffer > 0) {
        s.setReceiveBufferSize(receiveBuffer); // before connecting, so the window is small
      }
      s.setSoTimeout((int) readTimeout.toMillis());
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
      RawWebSocket ws = new RawWebSocket(s);
      ws.handshake(uri);
      return ws;
    } catch (IOException e) {
      try {
        s.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("Cannot open a WebSocket to " + uri, e);
    }
  }

  private void handshake(URI uri) throws IOException {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String request =
        "GET / HTTP/1.1\r\n"
            + "Host: "
            + uri.getHost()
            + ":"
            + uri.getPort()
            + "\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("The server closed during the handshake");
      }
      head.write(b);
    }
    String response = head.toString(StandardCharsets.US_ASCII);
    if (!response.startsWith("HTTP/1.1 101")) {
      throw new IOException("Expected 101 Switching Protocols but got " + response);
    }
  }

  /** Writes one masked text frame. */
  void sendText(String text) throws IOException {
    out.write(frame(text.getBytes(StandardCharsets.UTF_8)));
    out.flush();
  }

  /** Writes {@code bytes} as they are (for example the first part of a frame). */
  void writeRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** A whole masked text frame carrying {@code payload}, ready to write. */
  static byte[] frame(byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.write(0x81); // FIN, text
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65_536) {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xff);
    } else {
      f.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) ((long) payload.length >>> shift) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask, 0, 4);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i % 4]);
    }
    return f.toByteArray();
  }

  /**
   * Reads the next frame from the server (unmasked, as servers send them) and returns its opcode;
   * the payload is read and, for a close frame, its status code returned via {@link Frame}.
   *
   * @throws EOFException if the connection ended first
   * @throws java.net.SocketTimeoutException if nothing came within the read timeout
   */
  Frame readFrame() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /** The raw input, for a test that drains it. */
  InputStream input() {
    return in;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A frame from the server. */
  static final class Frame {
    final int opcode;
    private final byte[] payload;

    Frame(int opcode, byte[] payload) {
      this.opcode = opcode;
      this.payload = payload;
    }

    /** The status code of a close frame, or -1. */
    int closeCode() {
      return opcode == CLOSE && payload.length >= 2
          ? (payload[0] & 0xff) << 8 | (payload[1] & 0xff)
          : -1;
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }
}
