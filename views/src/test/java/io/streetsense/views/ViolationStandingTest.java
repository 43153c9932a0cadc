package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The console's standing violations without Kafka: the events in, the snapshots out. */
class ViolationStandingTest {
  static final Instant T0 = Instant.parse("2026-11-23T02:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final List<ViolationStanding.Snapshot> published = new ArrayList<>();

  static ViolationEvent event(ViolationEventKind kind, String zone, Instant detected, Instant at) {
    return ViolationEvent.newBuilder()
        .setViolationId("jiashan-lane/" + zone + "/ILLEGAL_STALL/" + detected.toEpochMilli())
        .setKind(kind)
        .setType(ViolationType.ILLEGAL_STALL)
        .setBlockId("jiashan-lane")
        .setZoneId(zone)
        .setDetectedAt(detected)
        .setEventTime(at)
        .setDwellMillis(Duration.between(detected, at).toMillis())
        .setEvidence(new Evidence(List.of(), null))
        .build();
  }

  ViolationStanding view(int max) {
    return new ViolationStanding(
        new ViolationStanding.Settings(Duration.ofHours(1), max), clock, published::add);
  }

  @Test
  void openedStandsWithItsFirstEvidence_updatesChangeNothing_clearedEndsIt() {
    ViolationStanding v = view(100);
    v.apply(event(ViolationEventKind.OPENED, "JS-Z-F01", T0.minusSeconds(180), T0));
    v.publishIfChanged();
    assertEquals(1, published.size());
    ViolationStanding.Standing s = published.get(0).standing().get(0);
    assertEquals("jiashan-lane", s.block());
    assertEquals("JS-Z-F01", s.zone());
    assertEquals("ILLEGAL_STALL", s.type());
    assertEquals(T0.minusSeconds(180), s.since(), "standing since the first evidence");
    assertEquals(1, published.get(0).version());

    v.apply(event(ViolationEventKind.UPDATED, "JS-Z-F01", T0.minusSeconds(180), T0.plusSeconds(5)));
    v.publishIfChanged();
    assertEquals(1, published.size(), "still standing: nothing new to send");

    v.apply(
        event(ViolationEventKind.CLEARED, "JS-Z-F01", T0.minusSeconds(180), T0.plusSeconds(60)));
    v.publishIfChanged();
    assertEquals(2, published.size());
    assertTrue(published.get(1).standing().isEmpty());
    assertEquals(2, published.get(1).version());
  }

  @Test
  void anUpdateOfAViolationOpenedBeforeTheWindow_standsToo() {
    ViolationStanding v = view(100);
    v.apply(event(ViolationEventKind.UPDATED, "JS-Z-F02", T0.minusSeconds(3600), T0));
    v.publishIfChanged();
    assertEquals(T0.minusSeconds(3600), published.get(0).standing().get(0).since());
  }

  @Test
  void bounded_byCountAndByTimeNotHeardOf() {
    ViolationStanding v = view(2);
    v.apply(event(ViolationEventKind.OPENED, "JS-Z-F01", T0, T0));
    v.apply(event(ViolationEventKind.OPENED, "JS-Z-F02", T0, T0.plusSeconds(1)));
    v.apply(event(ViolationEventKind.OPENED, "JS-Z-F03", T0, T0.plusSeconds(2)));
    v.publishIfChanged();
    assertEquals(
        List.of("JS-Z-F02", "JS-Z-F03"),
        published.get(0).standing().stream().map(ViolationStanding.Standing::zone).toList(),
        "the one heard of longest ago is dropped");

    // Not heard of for the forget time (its CLEARED lost): dropped.
    clock.advance(Duration.ofHours(1).plusSeconds(10));
    v.publishIfChanged();
    assertTrue(published.get(published.size() - 1).standing().isEmpty());
  }
}
