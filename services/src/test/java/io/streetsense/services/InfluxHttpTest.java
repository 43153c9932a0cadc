package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
