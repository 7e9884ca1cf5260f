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
 * as PING frames faster than any gRPC client library allows or streams opened and reset at
 * once, and reads the frames coming back.
 */
public final class RawHttp2Connection implements AutoCloseable {
  public static final int PING = 0x6;
  public static final int GOAWAY = 0x7;
  public static final int FLAG_ACK = 0x1;
  public static final int ENHANCE_YOUR_CALM = 0xb;
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int SETTINGS = 0x4;
  private static final int HEADERS = 0x1;
  private static final int RST_STREAM = 0x3;
  private static final int FLAG_END_HEADERS = 0x4;
  private static final int CANCEL = 0x8;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;
  private long pings;
  private int nextStreamId = 1;

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

  /**
   * Opens {@code count} gRPC calls of {@code path} and resets each right after its headers, as
   * the rapid reset attack does; all frames go out in one write.
   */
  public void openAndReset(String path, int count) throws IOException {
    byte[] headers = requestHeaders(path);
    ByteBuffer frames = ByteBuffer.allocate(count * (9 + headers.length + 9 + 4));
    for (int i = 0; i < count; i++) {
      int streamId = nextStreamId;
      nextStreamId += 2;
      putFrame(frames, HEADERS, FLAG_END_HEADERS, streamId, headers);
      putFrame(frames, RST_STREAM, 0, streamId, ByteBuffer.allocate(4).putInt(CANCEL).array());
    }
    out.write(frames.array(), 0, frames.position());
    out.flush();
  }

  /** An HPACK block of the request headers, literal and not Huffman-coded, so no table is needed. */
  private static byte[] requestHeaders(String path) {
    ByteBuffer block = ByteBuffer.allocate(256 + path.length());
    block.put((byte) 0x83); // :method POST, static table entry 3
    block.put((byte) 0x86); // :scheme http, entry 6
    literal(block, 0x04, path); // :path, name from entry 4
    literal(block, 0x01, "localhost"); // :authority, entry 1
    block.put((byte) 0x0f).put((byte) 0x10); // content-type, entry 31 (15 + 16)
    string(block, "application/grpc");
    block.put((byte) 0x00); // te: a new name
    string(block, "te");
    string(block, "trailers");
    byte[] bytes = new byte[block.position()];
    block.flip().get(bytes);
    return bytes;
  }

  private static void literal(ByteBuffer block, int nameIndex, String value) {
    block.put((byte) nameIndex);
    string(block, value);
  }

  private static void string(ByteBuffer block, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length > 126) {
      throw new IllegalArgumentException("value: " + bytes.length + " bytes (expected: at most 126)");
    }
    block.put((byte) bytes.length).put(bytes);
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
    putFrame(frame, type, flags, 0, payload);
    out.write(frame.array());
    out.flush();
  }

  private static void putFrame(ByteBuffer frames, int type, int flags, int streamId, byte[] payload) {
    frames.put((byte) (payload.length >>> 16)).put((byte) (payload.length >>> 8)).put((byte) payload.length)
        .put((byte) type).put((byte) flags).putInt(streamId).put(payload);
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
