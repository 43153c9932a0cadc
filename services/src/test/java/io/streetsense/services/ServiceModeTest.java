package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServiceModeTest {

  @Test
  void parse_acceptsAnyCase() {
    assertEquals(ServiceMode.NATIVE, ServiceMode.parse("native", "test"));
    assertEquals(ServiceMode.CONTAINERS, ServiceMode.parse(" Containers ", "test"));
    assertEquals(ServiceMode.AUTO, ServiceMode.parse("AUTO", "test"));
  }

  @Test
  void parse_unknownValue_namesTheSourceAndTheValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ServiceMode.parse("docker", "system property streetsense.services"));
    assertTrue(e.getMessage().contains("streetsense.services"), e.getMessage());
    assertTrue(e.getMessage().contains("'docker'"), e.getMessage());
  }

  @Test
  void native_resolvesToItself() {
    assertEquals(ServiceMode.NATIVE, ServiceMode.NATIVE.resolve());
  }
}
