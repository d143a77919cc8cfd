package dev.avatarservice.http;

import dev.avatarservice.config.AddressRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Address ranges and the forwarded-node syntax (ClientAddressApiTest covers the whole request). */
class ClientAddressTest {

  @Test
  void rangesMatchTheirAddressesOnly() {
    AddressRange ten = AddressRange.parse("10.0.0.0/8");
    assertThat(ten.contains(AddressRange.bytes("10.255.1.2"))).isTrue();
    assertThat(ten.contains(AddressRange.bytes("11.0.0.1"))).isFalse();
    assertThat(ten.contains(AddressRange.bytes("::ffff:10.1.2.3"))).as("IPv4-mapped").isTrue();
    AddressRange odd = AddressRange.parse("192.0.2.0/25");
    assertThat(odd.contains(AddressRange.bytes("192.0.2.127"))).isTrue();
    assertThat(odd.contains(AddressRange.bytes("192.0.2.128"))).isFalse();
    AddressRange six = AddressRange.parse("fd00::/8");
    assertThat(six.contains(AddressRange.bytes("fd12::1"))).isTrue();
    assertThat(six.contains(AddressRange.bytes("fe80::1"))).isFalse();
    assertThat(AddressRange.parse("127.0.0.1").contains(AddressRange.bytes("127.0.0.2"))).isFalse();
  }

  @Test
  void onlyAddressLiteralsAreTakenAndNoNameIsResolved() {
    for (String bad : new String[] {"localhost", "proxy.example.com", "10.0.0.0/33", "999.1.1.1", "10.0.0.1/x", ""}) {
      assertThatThrownBy(() -> AddressRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(AddressRange.bytes("unknown")).isNull();
    assertThat(AddressRange.bytes("_hidden")).isNull();
  }

  @Test
  void forwardedNodesLoseQuotesBracketsAndPorts() {
    assertThat(ClientAddress.host("203.0.113.9")).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.host("203.0.113.9:4711")).isEqualTo("203.0.113.9");
    assertThat(ClientAddress.host("\"[2001:db8::17]:4711\"")).isEqualTo("2001:db8::17");
    assertThat(ClientAddress.host("2001:db8::17")).isEqualTo("2001:db8::17");
    assertThat(ClientAddress.host("[2001:db8::17")).isEmpty();
  }
}
