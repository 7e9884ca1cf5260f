package dev.userservice.testing;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A bare HTTP/2 connection (prior knowledge, no TLS) that sends only what a test asks for, such
 * as PING frames faster than any gRPC client library allows, and reads the frames coming back.
 */
public final class RawHttp2Connection implements AutoCloseable {
  public static final int PING = 0x6;
  public static final int GOAWAY = 0x7;
  public static final int FLAG_ACK = 0x1;
  public static final int ENHANCE_YOUR_CALM = 0xb;
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int SETTINGS = 0x4;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private long pings;

  private RawHttp2Connection(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects, sends the preface and empty SETTINGS; reads wait at most ten seconds. */
  public static RawHttp2Connection open(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    RawHttp2Connection connection = new RawHttp2Connection(socket);
    connection.out.write(PREFACE);
    connection.write(SETTINGS, 0, new byte[0]);
    return connection;
  }

  /** Sends a PING with a new payload. */
  public void ping() throws IOException {
    write(PING, 0, ByteBuffer.allocate(8).putLong(++pings).array());
  }

  /** Reads the next frame, or null when the server closed the connection. */
  public Frame read() throws IOException {
    byte[] header = new byte[9];
    try {
      in.readFully(header);
    } catch (EOFException e) {
      return null;
    }
    int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
    byte[] payload = new byte[length];
    in.readFully(payload);
    return new Frame(header[3] & 0xff, header[4] & 0xff, payload);
  }

  /** Reads frames until one of this type, or null when the connection closes or stays quiet. */
  public Frame readUntil(int type) throws IOException {
    try {
      for (Frame frame = read(); frame != null; frame = read()) {
        if (frame.type() == type) {
          return frame;
        }
      }
    } catch (SocketTimeoutException e) {
      return null;
    }
    return null;
  }

  private void write(int type, int flags, byte[] payload) throws IOException {
    ByteBuffer frame = ByteBuffer.allocate(9 + payload.length);
    frame.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
        .put((byte) type).put((byte) flags).putInt(0).put(payload);
    out.write(frame.array());
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** One frame as read: type, flags and payload. */
  public record Frame(int type, int flags, byte[] payload) {
    /** The error code of a GOAWAY frame. */
    public int goAwayErrorCode() {
      return ByteBuffer.wrap(payload, 4, 4).getInt();
    }

    /** The debug text of a GOAWAY frame. */
    public String goAwayDebugData() {
      return new String(payload, 8, payload.length - 8, StandardCharsets.UTF_8);
    }
  }
}
