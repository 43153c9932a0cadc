package io.streetsense.benchmarks.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {
  @Test
  void defaults_coverBothKindsBothModesAndThreeWindows() {
    BenchmarkOptions o = BenchmarkOptions.parse(new String[0]);
    assertEquals(100_000, o.messages());
    assertEquals(List.of(PayloadKind.PARKING, PayloadKind.CAMERA), o.kinds());
    assertEquals(List.of(Mode.LIVE, Mode.DRAIN), o.modes());
    assertEquals(List.of(100, 1000, 5000), o.windows());
  }

  @Test
  void options_areParsed() {
    BenchmarkOptions o =
        BenchmarkOptions.parse(
            new String[] {
              "--messages",
              "50_000",
              "--payload",
              "camera",
              "--mode",
              "drain",
              "--windows",
              "200, 2000,200",
              "--publishers",
              "3",
              "--kafka-prop",
              "linger.ms=5"
            });
    assertEquals(50_000, o.messages());
    assertEquals(List.of(PayloadKind.CAMERA), o.kinds());
    assertEquals(List.of(Mode.DRAIN), o.modes());
    assertEquals(List.of(200, 2000), o.windows());
    assertEquals(3, o.publishers());
    assertEquals(Map.of("linger.ms", "5"), o.kafkaProperties());
  }

  @Test
  void badValues_nameTheOptionAndTheValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> BenchmarkOptions.parse(new String[] {"--mode", "sideways"}));
    assertTrue(e.getMessage().contains("--mode") && e.getMessage().contains("sideways"));
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchmarkOptions.parse(new String[] {"--windows", "0"}));
    assertThrows(
        IllegalArgumentException.class, () -> BenchmarkOptions.parse(new String[] {"--messages"}));
    assertThrows(
        IllegalArgumentException.class, () -> BenchmarkOptions.parse(new String[] {"--nope", "1"}));
  }

  @Test
  void help_isRecognised() {
    assertTrue(BenchmarkOptions.parse(new String[] {"--help"}).help());
    assertTrue(BenchmarkOptions.usage().contains("--windows"));
  }
}
