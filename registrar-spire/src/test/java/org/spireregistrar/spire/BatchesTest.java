package org.spireregistrar.spire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BatchesTest {

  static Stream<Arguments> cases() {
    // name, item count, max items, max bytes, bytes per item, expected ranges
    return Stream.of(
        Arguments.of("empty", 0, 50, 4096, 10, ""),
        Arguments.of("one batch", 3, 50, 4096, 10, "0-3"),
        Arguments.of("split by count", 120, 50, 1 << 20, 10, "0-50 50-100 100-120"),
        Arguments.of("exact multiple", 100, 50, 1 << 20, 10, "0-50 50-100"),
        // 100-byte bodies are 102 bytes framed: 40 fit in 4096.
        Arguments.of("split by bytes", 100, 50, 4096, 100, "0-40 40-80 80-100"),
        Arguments.of("oversized items go alone", 3, 50, 1024, 2000, "0-1 1-2 2-3"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void splitsIntoOrderedRanges(
      String name, int count, int maxItems, int maxBytes, int bytes, String expected) {
    List<int[]> ranges = Batches.split(count, maxItems, maxBytes, i -> bytes);

    assertThat(ranges.stream().map(r -> r[0] + "-" + r[1]).collect(Collectors.joining(" ")))
        .isEqualTo(expected);
  }
}
