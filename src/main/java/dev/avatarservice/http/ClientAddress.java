package dev.avatarservice.http;

import dev.avatarservice.config.AddressRange;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The one answer to "which client sent this request", used by every rate limit, lockout and socket
 * cap and by the access log. It is the connection's peer, unless that peer is one of
 * {@code TRUSTED_PROXIES}: then it is the right-most address of {@code X-Forwarded-For} (or, without
 * that header, of {@code Forwarded}'s {@code for=}) that is not itself a trusted proxy. The right-most,
 * not the first: a proxy appends the address it saw to what the client sent, so every entry left of
 * the last proxy's is the client's to choose. With no trusted proxy, the headers are never read.
 *
 * <p>Mounted first on the router, it resolves the address once per request; {@link #of(RoutingContext)}
 * reads it back. Requests handled outside the router use {@link #resolve(HttpServerRequest)}.
 */
public final class ClientAddress implements Handler<RoutingContext> {

  private static final String KEY = "avatar-service.client-address";
  private static final String UNKNOWN = "unknown";

  private final List<AddressRange> trusted;

  public ClientAddress(List<AddressRange> trustedProxies) {
    this.trusted = List.copyOf(trustedProxies);
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, resolve(ctx.request()));
    ctx.next();
  }

  /** The client address of a routed request (the peer's, when the resolver was not mounted). */
  public static String of(RoutingContext ctx) {
    String address = ctx.get(KEY);
    return address != null ? address : peer(ctx.request());
  }

  /** The connection's own peer address, whatever the headers say. */
  public static String peer(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    String host = remote == null ? null : remote.hostAddress();
    if (host == null) {
      return UNKNOWN;
    }
    byte[] bytes = AddressRange.bytes(host);
    return bytes == null ? host : AddressRange.format(bytes);
  }

  /** The client address of that request, as the class comment says. */
  public String resolve(HttpServerRequest request) {
    String peer = peer(request);
    byte[] hop = AddressRange.bytes(peer);
    if (trusted.isEmpty() || !isTrusted(hop)) {
      return peer;
    }
    String address = peer;
    List<String> chain = forwardedFor(request);
    for (int i = chain.size() - 1; i >= 0; i--) {
      hop = AddressRange.bytes(host(chain.get(i)));
      if (hop == null) {
        break; // not an address (unknown, an obfuscated name): the last proxy is the best we know
      }
      address = AddressRange.format(hop);
      if (!isTrusted(hop)) {
        break;
      }
    }
    return address;
  }

  private boolean isTrusted(byte[] address) {
    if (address == null) {
      return false;
    }
    for (AddressRange range : trusted) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** The forwarding chain, left to right: every X-Forwarded-For line, else Forwarded's for= values. */
  static List<String> forwardedFor(HttpServerRequest request) {
    List<String> chain = new ArrayList<>();
    List<String> xff = request.headers().getAll("X-Forwarded-For");
    if (!xff.isEmpty()) {
      for (String line : xff) {
        for (String entry : line.split(",")) {
          chain.add(entry.trim());
        }
      }
      return chain;
    }
    for (String line : request.headers().getAll("Forwarded")) {
      for (String element : line.split(",")) {
        String node = "";
        for (String pair : element.split(";")) {
          int equals = pair.indexOf('=');
          if (equals > 0 && pair.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("for")) {
            node = pair.substring(equals + 1).trim();
          }
        }
        chain.add(node);
      }
    }
    return chain;
  }

  /** The address of a forwarded node: quotes, brackets and a port removed ({@code "[2001:db8::1]:80"}). */
  static String host(String node) {
    String value = node.trim();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    if (value.startsWith("[")) {
      int close = value.indexOf(']');
      return close < 0 ? "" : value.substring(1, close);
    }
    int colon = value.indexOf(':');
    if (colon >= 0 && colon == value.lastIndexOf(':')) {
      return value.substring(0, colon); // IPv4 with a port
    }
    return value;
  }
}
