package dev.avatarservice.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What Vert.x 5.0.7 does not do for a connection, done in its Netty pipeline between the HTTP codec
 * and Vert.x, where the decoded request heads and the response ends pass by:
 * <ul>
 *   <li>Slow clients: a request's headers must be complete within HTTP_HEADER_TIMEOUT of the
 *   connection opening or of the end of the previous answer (Vert.x's idle timeout is reset by every
 *   byte, so one byte a second held a connection forever), and a body must keep arriving at
 *   HTTP_BODY_MIN_RATE bytes per second after a grace of HTTP_HEADER_TIMEOUT (the rule of Apache's
 *   mod_reqtimeout); otherwise the connection is closed.</li>
 *   <li>Request smuggling: a request with {@code Transfer-Encoding} (Netty has already dropped a
 *   {@code Content-Length} next to it and reads the body by the chunks), or with repeated
 *   {@code Host} or {@code Content-Length} headers, is marked {@code Connection: close}, so Vert.x
 *   answers it with {@code Connection: close}, closes the connection after the answer and never
 *   takes the bytes behind it as another request; the guard drops them too.
 *   {@link RequestGuard} answers 400 to those that are refused.</li>
 *   <li>A malformed chunked body: Netty's failure would reach Vert.x as an unknown exception, which
 *   closes the connection before anything is answered. It is handed on as a 400
 *   {@link ApiException}, and the close that Vert.x asks for at once is held until that answer has
 *   been written (for a moment at most).</li>
 *   <li>After a WebSocket upgrade: a frame over the frame limit, which Netty's decoder refuses
 *   before reading it, is answered with a close frame 1009 instead of a dropped connection.</li>
 * </ul>
 */
public final class ConnectionGuard extends ChannelDuplexHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final String NAME = "avatar-connection-guard";
  /** How long a close asked for by Vert.x waits for the answer to a malformed body. */
  private static final long HELD_CLOSE_MILLIS = 2000;
  /** How long a connection closed after an answer still reads (and drops) what the client sends. */
  private static final long LINGER_MILLIS = 2000;

  /**
   * @param headerTimeoutMillis  HTTP_HEADER_TIMEOUT; also the grace before the body rate counts
   * @param minBodyBytesPerSecond HTTP_BODY_MIN_RATE
   */
  public record Settings(long headerTimeoutMillis, long minBodyBytesPerSecond) {
  }

  private final Settings settings;
  private ScheduledFuture<?> headerTimer;
  private ScheduledFuture<?> bodyTimer;
  /** Between a request's head and the end of its body. */
  private boolean requestOpen;
  private long bodyStartNanos;
  private long bodyBytes;
  /** Requests read whose answer has not ended yet. */
  private int unanswered;
  /** The connection ends with the answer to the current request. */
  private boolean closeAfterAnswer;
  /** Nothing more is read from this connection: whatever follows is dropped. */
  private boolean discardInbound;
  /** A malformed body was handed on: Vert.x's immediate close waits for its answer. */
  private boolean holdClose;
  private ChannelPromise heldClose;
  private boolean webSocket;
  private boolean lingering;

  private ConnectionGuard(Settings settings) {
    this.settings = settings;
  }

  /**
   * Puts a guard into the pipeline of a new HTTP/1.x connection; called from the server's
   * connection handler, on the connection's event loop, before its first request is read.
   */
  public static void install(HttpConnection connection, Settings settings) {
    if (!(connection instanceof ConnectionBase base)) {
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    if (pipeline.get("httpEncoder") != null && pipeline.get(NAME) == null) {
      pipeline.addAfter("httpEncoder", NAME, new ConnectionGuard(settings));
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      startHeaderTimer(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (headerTimer == null) {
      startHeaderTimer(ctx);
    }
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelTimers();
    super.channelInactive(ctx);
  }

  // ---------------------------------------------------------------- inbound

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (webSocket) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (discardInbound) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      cancelHeaderTimer();
      unanswered++;
      if (request.decoderResult().isSuccess()) {
        checkFraming(request);
      }
      if (!(msg instanceof LastHttpContent) && hasBody(request)) {
        startBodyTimer(ctx);
      }
      requestOpen = !(msg instanceof LastHttpContent);
    }
    if (msg instanceof HttpContent content) {
      // a request head the codec refused (FullHttpRequest with a failure) is Vert.x's to answer
      if (!content.decoderResult().isSuccess() && !(msg instanceof HttpRequest)) {
        malformedBody(ctx, content);
        return;
      }
      bodyBytes += content.content().readableBytes();
      if (content instanceof LastHttpContent) {
        requestOpen = false;
        cancelBodyTimer();
        if (closeAfterAnswer) {
          discardInbound = true;
        }
      }
    }
    ctx.fireChannelRead(msg);
    if (!requestOpen && unanswered == 0 && !closeAfterAnswer && !webSocket && ctx.channel().isActive()) {
      // answered before its end was read (a GET is answered at its head): the wait starts now
      startHeaderTimer(ctx);
    }
  }

  /**
   * Marks a request whose framing could be read differently by a proxy in front of us: with
   * {@code Transfer-Encoding}, or with a repeated {@code Host} or {@code Content-Length}.
   */
  private void checkFraming(HttpRequest request) {
    HttpHeaders headers = request.headers();
    if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)
      || headers.getAll(HttpHeaderNames.HOST).size() > 1
      || headers.getAll(HttpHeaderNames.CONTENT_LENGTH).size() > 1) {
      closeAfterAnswer = true;
      // read by Vert.x when the request begins: it answers with Connection: close and then closes
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
  }

  private static boolean hasBody(HttpRequest request) {
    return HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
  }

  private void malformedBody(ChannelHandlerContext ctx, HttpContent content) {
    LOG.debug("Malformed request body: {}", content.decoderResult().cause().getClass().getSimpleName());
    ReferenceCountUtil.release(content);
    requestOpen = false;
    cancelBodyTimer();
    closeAfterAnswer = true;
    discardInbound = true;
    // once answered (a 405 before the body, say) there is nothing to wait for
    holdClose = unanswered > 0;
    // Vert.x hands this to the request's handlers (the failure handler answers it) and then closes
    ctx.fireExceptionCaught(ApiException.fail(400, "malformed_body", "the chunked request body is malformed"));
  }

  // ---------------------------------------------------------------- outbound

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (webSocket) {
      ctx.write(msg, promise);
      return;
    }
    if (msg instanceof HttpResponse response) {
      int status = response.status().code();
      if (status == 101) {
        webSocket = true;
        cancelTimers();
        ctx.write(msg, promise);
        return;
      }
      if (status < 200) {
        ctx.write(msg, promise); // 100 Continue: not the answer
        return;
      }
      if (closeAfterAnswer) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      }
    }
    if (!(msg instanceof LastHttpContent)) {
      ctx.write(msg, promise);
      return;
    }
    unanswered = Math.max(0, unanswered - 1);
    if (closeAfterAnswer) {
      ChannelPromise written = promise.unvoid();
      ctx.write(msg, written);
      written.addListener(done -> closeNow(ctx));
      return;
    }
    ctx.write(msg, promise);
    if (unanswered == 0 && !requestOpen) {
      startHeaderTimer(ctx);
    }
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (closeAfterAnswer && !holdClose) {
      lingeringClose(ctx, promise);
      return;
    }
    if (holdClose && heldClose == null) {
      // the answer may be written already but not flushed (Vert.x flushes after the read), or
      // still on its way: the write's listener closes once it is out, the timer if it never comes
      heldClose = promise;
      ctx.flush();
      ctx.executor().schedule(() -> closeNow(ctx), HELD_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
      return;
    }
    // Vert.x closes at once after a failure in the read path (a decoder throwing), when the answer
    // to it may be written but not yet flushed: out with it first
    ctx.flush();
    ctx.close(promise);
  }

  private void closeNow(ChannelHandlerContext ctx) {
    holdClose = false;
    ChannelPromise held = heldClose;
    heldClose = null;
    lingeringClose(ctx, held != null ? held : ctx.newPromise());
  }

  /**
   * Closes after the answer without losing it: closing a socket with unread bytes behind the
   * request (the smuggled ones) makes the kernel send a reset, and a reset can destroy the answer
   * before the client has read it. So the output is shut down once the answer is out, what still
   * comes in is read and dropped, and the connection closes when the client closes its side or
   * after a moment (Apache's "lingering close").
   */
  private void lingeringClose(ChannelHandlerContext ctx, ChannelPromise promise) {
    if (lingering) {
      ctx.channel().closeFuture().addListener(closed -> promise.trySuccess());
      return;
    }
    lingering = true;
    discardInbound = true;
    cancelTimers();
    ctx.channel().config().setAutoRead(true);
    ctx.executor().schedule(() -> ctx.close(promise), LINGER_MILLIS, TimeUnit.MILLISECONDS);
    // completes once everything written before it is out
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
      if (ctx.channel() instanceof DuplexChannel duplex && duplex.isActive()) {
        duplex.shutdownOutput();
      } else {
        ctx.close(promise);
      }
    });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (webSocket && cause instanceof CorruptedWebSocketFrameException corrupted
      && corrupted.closeStatus() != null
      && corrupted.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
      // Vert.x would drop the connection (1006): the client is told why instead
      ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big"))
        .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  // ---------------------------------------------------------------- timers

  private void startHeaderTimer(ChannelHandlerContext ctx) {
    cancelHeaderTimer();
    if (settings.headerTimeoutMillis() <= 0) {
      return;
    }
    headerTimer = ctx.executor().schedule(() -> {
      headerTimer = null;
      LOG.debug("Closed a connection whose request headers did not arrive in time");
      ctx.close();
    }, settings.headerTimeoutMillis(), TimeUnit.MILLISECONDS);
  }

  private void startBodyTimer(ChannelHandlerContext ctx) {
    cancelBodyTimer();
    bodyStartNanos = System.nanoTime();
    bodyBytes = 0;
    if (settings.minBodyBytesPerSecond() > 0) {
      scheduleBodyCheck(ctx);
    }
  }

  /**
   * The body may take the grace plus one second per HTTP_BODY_MIN_RATE bytes received: checked
   * when that deadline comes, and moved on if more bytes arrived meanwhile.
   */
  private void scheduleBodyCheck(ChannelHandlerContext ctx) {
    long allowedMillis = settings.headerTimeoutMillis() + bodyBytes * 1000 / settings.minBodyBytesPerSecond();
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - bodyStartNanos);
    long delay = allowedMillis - elapsedMillis;
    if (delay <= 0) {
      bodyTimer = null;
      LOG.debug("Closed a connection whose request body arrived too slowly");
      ctx.close();
      return;
    }
    bodyTimer = ctx.executor().schedule(() -> scheduleBodyCheck(ctx), delay, TimeUnit.MILLISECONDS);
  }

  private void cancelHeaderTimer() {
    if (headerTimer != null) {
      headerTimer.cancel(false);
      headerTimer = null;
    }
  }

  private void cancelBodyTimer() {
    if (bodyTimer != null) {
      bodyTimer.cancel(false);
      bodyTimer = null;
    }
  }

  private void cancelTimers() {
    cancelHeaderTimer();
    cancelBodyTimer();
  }
}
