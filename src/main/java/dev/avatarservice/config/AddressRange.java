package dev.avatarservice.config;

import io.netty.util.NetUtil;

import java.util.Arrays;

/**
 * An IP address or a CIDR range of them ({@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code fd00::/8}),
 * as in {@code TRUSTED_PROXIES}. Parsed without any name lookup: only address literals are taken.
 * IPv4-mapped IPv6 addresses ({@code ::ffff:192.0.2.7}) count as the IPv4 address they carry.
 */
public final class AddressRange {

  private final byte[] network;
  private final int prefixBits;
  private final String text;

  private AddressRange(byte[] network, int prefixBits, String text) {
    this.network = network;
    this.prefixBits = prefixBits;
    this.text = text;
  }

  /** Parses {@code address} or {@code address/prefix}; throws {@link IllegalArgumentException}. */
  public static AddressRange parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    byte[] address = bytes(slash < 0 ? trimmed : trimmed.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("'" + trimmed + "' is not an IP address or CIDR range");
    }
    int bits = address.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > address.length * 8) {
        throw new IllegalArgumentException("'" + trimmed + "' has a prefix length out of range");
      }
    }
    return new AddressRange(address, bits, trimmed);
  }

  /**
   * The bytes of an IP address literal (4 for IPv4, IPv4-mapped IPv6 included, 16 for IPv6), or
   * null when the text is not one. Never resolves a name.
   */
  public static byte[] bytes(String literal) {
    if (literal == null || literal.isEmpty() || literal.indexOf('%') >= 0) {
      return null;
    }
    byte[] address = NetUtil.createByteArrayFromIpAddressString(literal);
    if (address == null) {
      return null;
    }
    if (address.length == 16 && isIpv4Mapped(address)) {
      return Arrays.copyOfRange(address, 12, 16);
    }
    return address;
  }

  /** The canonical text of an address's bytes ({@code 2001:db8::1}, {@code 192.0.2.7}). */
  public static String format(byte[] address) {
    return NetUtil.bytesToIpAddress(address);
  }

  public boolean contains(byte[] address) {
    if (address == null || address.length != network.length) {
      return false;
    }
    int whole = prefixBits / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixBits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (address[whole] & mask) == (network[whole] & mask);
  }

  private static boolean isIpv4Mapped(byte[] address) {
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
  }

  @Override
  public String toString() {
    return text;
  }
}
