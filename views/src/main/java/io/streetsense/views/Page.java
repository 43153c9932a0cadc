package io.streetsense.views;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One page of a query result. {@code total} counts every match, so a client knows how many pages
 * there are: nothing is cut off silently.
 */
public record Page<T>(List<T> items, int page, int pageSize, int total) {

  /** Parses {@code page} (1-based) and {@code page_size}; 400 when out of range. */
  public static int[] parse(Map<String, List<String>> params, int defaultSize, int maxSize) {
    int page = intParam(params, "page", 1);
    int size = intParam(params, "page_size", defaultSize);
    if (page < 1) {
      throw ApiException.badRequest("'page' must be 1 or more (pages count from 1)");
    }
    if (size < 1 || size > maxSize) {
      throw ApiException.badRequest(
          "'page_size' must be between 1 and " + maxSize + " (use 'page' for more)");
    }
    return new int[] {page, size};
  }

  private static int intParam(Map<String, List<String>> params, String name, int fallback) {
    List<String> values = params.get(name);
    if (values == null || values.isEmpty() || values.get(0).isBlank()) {
      return fallback;
    }
    if (values.size() > 1) {
      throw ApiException.badRequest("'" + name + "' is given more than once");
    }
    try {
      return Integer.parseInt(values.get(0).strip());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("'" + name + "' must be a whole number");
    }
  }

  /** Sorts all matches and cuts out page {@code page} of {@code size}. */
  public static <T> Page<T> of(List<T> matches, Comparator<? super T> order, int page, int size) {
    matches.sort(order);
    int total = matches.size();
    long from = (long) (page - 1) * size;
    List<T> items =
        from >= total
            ? List.of()
            : List.copyOf(matches.subList((int) from, (int) Math.min(total, from + size)));
    return new Page<>(items, page, size, total);
  }

  public int pages() {
    return total == 0 ? 0 : (total + pageSize - 1) / pageSize;
  }

  public boolean hasNext() {
    return (long) page * pageSize < total;
  }
}
