package dev.avatarservice.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The open-loop client for rates in the tens of thousands (scenario 2b), where Vert.x's HTTP
 * client would need most of the load generator's core itself (about 30 us per request, measured):
 * plain Netty on one thread, requests encoded once, answers parsed only as far as the status line
 * and {@code Content-Length}, one request at a time per keep-alive connection (no pipelining).
 * <p>
 * Request <i>i</i> is due at start + <i>i</i> / rate and is sent then on an idle connection, or as
 * soon as one is free; its latency runs from that due time to the last byte of its answer, so time
 * spent waiting for a connection counts like any other queueing.
 */
final class LeanOpenLoop {

  private static final byte[] HEADERS_END = {'\r', '\n', '\r', '\n'};

  private final List<ByteBuf> requests;
  private final double rate;
  private final long total;
  private final int timeoutMillis;
  private final Histogram micros = Load.histogram();
  private final Map<Integer, Histogram> byStatus = new HashMap<>();
  private final ArrayDeque<Connection> idle = new ArrayDeque<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private long start;
  private long sent;
  private long answered;

  private LeanOpenLoop(List<byte[]> requests, double rate, double seconds, int timeoutMillis) {
    this.requests = requests.stream().map(bytes -> Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes))).toList();
    this.rate = rate;
    this.total = (long) (rate * seconds);
    this.timeoutMillis = timeoutMillis;
  }

  /** A GET as bytes on the wire, with these extra headers. */
  static byte[] get(int port, String uri, Map<String, String> headers) {
    StringBuilder text = new StringBuilder("GET ").append(uri).append(" HTTP/1.1\r\nHost: 127.0.0.1:").append(port)
      .append("\r\n");
    headers.forEach((name, value) -> text.append(name).append(": ").append(value).append("\r\n"));
    return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Sends {@code rate * seconds} requests (the given ones in turn) over {@code connections}
   * connections to 127.0.0.1:{@code port}; unanswered after the last due time plus the timeout,
   * a request counts as status -1 with the timeout as its latency.
   */
  static Load.Result run(int port, List<byte[]> requests, double rate, double seconds, int connections,
                         int timeoutMillis, long serverPid) throws Exception {
    LeanOpenLoop load = new LeanOpenLoop(requests, rate, seconds, timeoutMillis);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      EventLoop loop = group.next();
      Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
      List<Connection> opened = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        Connection connection = load.new Connection();
        bootstrap.handler(connection).connect("127.0.0.1", port).sync();
        opened.add(connection);
      }
      long serverCpu0 = serverPid > 0 ? Proc.cpuNanos(serverPid) : 0;
      Map<String, Long> threads0 = serverPid > 0 ? Proc.threadCpuNanos(serverPid) : Map.of();
      long clientCpu0 = Proc.selfCpuNanos();
      loop.submit(() -> {
        load.idle.addAll(opened);
        load.start = System.nanoTime();
        loop.scheduleAtFixedRate(load::sendDue, 0, 1, TimeUnit.MILLISECONDS);
      }).sync();
      try {
        load.done.get((long) (seconds * 1000) + timeoutMillis + 1000, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // counted below
      }
      return loop.submit(() -> load.result(serverPid, serverCpu0, threads0, clientCpu0)).get();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  private Load.Result result(long serverPid, long serverCpu0, Map<String, Long> threads0, long clientCpu0) {
    double elapsed = (System.nanoTime() - start) / 1e9;
    long missing = total - answered;
    if (missing > 0) {
      record(-1, timeoutMillis * 1000L, missing);
    }
    Load.Result result = new Load.Result(micros, byStatus, elapsed,
      serverPid > 0 ? Proc.cpuNanos(serverPid) - serverCpu0 : 0, Proc.selfCpuNanos() - clientCpu0);
    if (serverPid > 0) {
      result.threads = Proc.topThreads(threads0, Proc.threadCpuNanos(serverPid), result.total(), 5);
    }
    return result;
  }

  /** How many requests are due by now. */
  private long due() {
    return Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
  }

  private void sendDue() {
    long due = due();
    while (sent < due && !idle.isEmpty()) {
      idle.pop().send(sent++);
    }
  }

  private void record(int status, long latencyMicros, long count) {
    micros.recordValueWithCount(latencyMicros, count);
    byStatus.computeIfAbsent(status, s -> Load.histogram()).recordValueWithCount(latencyMicros, count);
    answered += count;
    if (answered >= total) {
      done.complete(null);
    }
  }

  /** One keep-alive connection: at most one request in flight, its answer read to the last byte. */
  private final class Connection extends ChannelInboundHandlerAdapter {

    private Channel channel;
    private ByteBuf received;
    private long inFlight = -1;
    private int status;
    /** Bytes of the body still to come, or -1 while the headers are read. */
    private int bodyLeft = -1;

    void send(long sequence) {
      inFlight = sequence;
      channel.writeAndFlush(requests.get((int) (sequence % requests.size())).duplicate());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      channel = ctx.channel();
      received = ctx.alloc().heapBuffer(4096);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf bytes = (ByteBuf) msg;
      received.writeBytes(bytes);
      bytes.release();
      while (parse()) {
        answered();
      }
      received.discardReadBytes();
    }

    /** Consumes what it can of one answer; true when the answer is complete. */
    private boolean parse() {
      if (bodyLeft < 0) {
        int end = indexOf(received, HEADERS_END);
        if (end < 0) {
          return false;
        }
        String head = received.readCharSequence(end + HEADERS_END.length - received.readerIndex(),
          StandardCharsets.ISO_8859_1).toString();
        status = Integer.parseInt(head.substring(9, 12));
        bodyLeft = contentLength(head);
      }
      int skip = Math.min(bodyLeft, received.readableBytes());
      received.skipBytes(skip);
      bodyLeft -= skip;
      if (bodyLeft > 0) {
        return false;
      }
      bodyLeft = -1;
      return true;
    }

    private void answered() {
      long sequence = inFlight;
      inFlight = -1;
      long intended = start + (long) (sequence / rate * 1e9);
      long latency = (System.nanoTime() - intended) / 1000;
      record(latency > timeoutMillis * 1000L ? -1 : status, Math.max(0, latency), 1);
      if (sent < due()) {
        send(sent++);
      } else {
        idle.push(this);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      idle.remove(this);
      if (inFlight >= 0) {
        inFlight = -1;
        record(-1, timeoutMillis * 1000L, 1);
      }
      received.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The value of Content-Length in these headers; an answer without one is not something we send for. */
  private static int contentLength(String head) {
    String lower = head.toLowerCase(Locale.ROOT);
    int at = lower.indexOf("\r\ncontent-length:");
    if (at < 0) {
      throw new IllegalStateException("an answer without Content-Length: " + head.lines().findFirst().orElse(""));
    }
    int from = at + "\r\ncontent-length:".length();
    return Integer.parseInt(lower.substring(from, lower.indexOf('\r', from)).trim());
  }

  private static int indexOf(ByteBuf haystack, byte[] needle) {
    int last = haystack.writerIndex() - needle.length;
    outer:
    for (int i = haystack.readerIndex(); i <= last; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack.getByte(i + j) != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
