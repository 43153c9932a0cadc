package io.streetsense.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AvroCodecTest {

  private static WorkOrder sampleOrder() {
    Instant detected = Instant.parse("2026-11-23T00:15:30.120Z");
    return WorkOrder.newBuilder()
        .setId("wo-1")
        .setType(ViolationType.ILLEGAL_STALL)
        .setBlockId("jiashan-lane")
        .setBlockName("Jiashan old market")
        .setZoneId("JS-Z-NV1")
        .setTeamId("xh-tianping-chengguan")
        .setStatus(WorkOrderStatus.DISPATCHED)
        .setSeverity(Severity.MEDIUM)
        .setViolationId("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL/1")
        .setDetectedAt(detected)
        .setFiledAt(detected.plusSeconds(180))
        .setUpdatedAt(detected.plusSeconds(180))
        .setAcceptBy(detected.plusSeconds(780))
        .setLocation(new GeoPoint(31.21048, 121.45746))
        .setEvidence(new Evidence(List.of(), null))
        .setHistory(
            List.of(
                WorkOrderTransition.newBuilder()
                    .setAt(detected.plusSeconds(180))
                    .setRecordedAt(Instant.parse("2026-11-23T00:18:31Z"))
                    .setToStatus(WorkOrderStatus.FILED)
                    .setActor("detector")
                    .setReason("violation opened")
                    .build()))
        .build();
  }

  @Test
  void encodeThenDecode_givesTheSameRecord() throws IOException {
    AvroCodec<WorkOrder> codec = AvroCodec.of(WorkOrder.class);
    WorkOrder order = sampleOrder();
    assertEquals(order, codec.decode(codec.encode(order)));
  }

  @Test
  void decode_ofBytesThatAreNotARecord_throws() {
    AvroCodec<WorkOrder> codec = AvroCodec.of(WorkOrder.class);
    assertThrows(IOException.class, () -> codec.decode(new byte[] {1, 2, 3, 4}));
  }

  @Test
  void decode_ofAnotherRecordType_throwsInsteadOfMisreading() {
    AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
    byte[] orderBytes = AvroCodec.of(WorkOrder.class).encode(sampleOrder());
    assertThrows(IOException.class, () -> deadLetters.decode(orderBytes));
  }

  @Test
  void codec_survivesJavaSerialization_asFlinkShipsIt() throws Exception {
    AvroCodec<WorkOrder> codec = AvroCodec.of(WorkOrder.class);
    codec.encode(sampleOrder()); // initialise the transient encoder before shipping
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(codec);
    }
    @SuppressWarnings("unchecked")
    AvroCodec<WorkOrder> shipped =
        (AvroCodec<WorkOrder>)
            new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
    assertEquals(sampleOrder(), shipped.decode(shipped.encode(sampleOrder())));
  }
}
