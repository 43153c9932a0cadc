package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class InfluxHttpTest {
  @Test
  void firstValue_readsTheFirstRowsNumber_orZeroWithoutRows() {
    assertEquals(
        1500,
        InfluxHttp.firstValue(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"parking_occupancy\","
                + "\"columns\":[\"time\",\"count\"],\"values\":[[\"1970-01-01T00:00:00Z\",1500]]}]}]}"));
    assertEquals(
        3,
        InfluxHttp.firstValue(
            "{\"results\":[{\"series\":[{\"columns\":[\"time\",\"sum\"],"
                + "\"values\":[[\"1970-01-01T00:00:00Z\",2.5]]}]}]}"),
        "a float sum is rounded");
    assertEquals(0, InfluxHttp.firstValue("{\"results\":[{\"statement_id\":0}]}"), "no rows");
  }

  @Test
  void measurements_areTheNamesOfTheValues_notTheColumnsHeader() {
    assertEquals(
        List.of("closure", "workorders"),
        InfluxHttp.measurements(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"measurements\","
                + "\"columns\":[\"name\"],\"values\":[[\"closure\"],[\"workorders\"]]}]}]}"));
    assertEquals(List.of(), InfluxHttp.measurements("{\"results\":[{\"statement_id\":0}]}"));
  }

  @Test
  void rows_countsThePointsOfAnAnswer() {
    assertEquals(
        2,
        InfluxHttp.rows(
            "{\"results\":[{\"statement_id\":0,\"series\":[{\"name\":\"closure\","
                + "\"columns\":[\"time\",\"block\",\"n\"],\"values\":["
                + "[\"2026-11-23T02:04:00Z\",\"jiashan-lane\",1],"
                + "[\"2026-11-23T02:31:00.5Z\",\"jiashan-lane\",2]]}]}]}"));
    assertEquals(0, InfluxHttp.rows("{\"results\":[{\"statement_id\":0}]}"));
  }
}
