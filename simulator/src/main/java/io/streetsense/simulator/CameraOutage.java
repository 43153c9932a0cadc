package io.streetsense.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * A camera sending nothing from {@code from} to {@code to} (power cut, network down, a reboot): no
 * frames at all, so the pipeline sees it go offline after its silence limit. Not a {@link
 * ScriptedEvent} (it belongs to a device, not a zone); set on {@link
 * StreetScenario.Builder#outage}. The ground truth accounts for it (see {@link
 * StreetScenario#groundTruth()}).
 *
 * @param cameraId the camera
 * @param from offset from the scenario's start of the first missing frame
 * @param to offset at which frames resume
 */
public record CameraOutage(String cameraId, Duration from, Duration to) {
  public CameraOutage {
    Objects.requireNonNull(cameraId, "cameraId");
    ScriptedEvent.checkSpan(cameraId, from, to);
  }
}
