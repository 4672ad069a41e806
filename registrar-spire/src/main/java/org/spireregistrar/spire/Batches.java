package org.spireregistrar.spire;

import com.google.protobuf.CodedOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Splits the items of a batch request into requests of at most {@code maxItems} items and (roughly)
 * {@code maxBytes} bytes, keeping order. An item larger than {@code maxBytes} goes alone.
 */
final class Batches {

  private Batches() {}

  /**
   * Consecutive index ranges {@code [from, to)} over {@code count} items.
   *
   * @param itemBytes serialized size of item {@code i}
   */
  static List<int[]> split(int count, int maxItems, int maxBytes, IntUnaryOperator itemBytes) {
    List<int[]> out = new ArrayList<>();
    int from = 0;
    long bytes = 0;
    for (int i = 0; i < count; i++) {
      int size = framed(itemBytes.applyAsInt(i));
      boolean full = i - from >= maxItems || (i > from && bytes + size > maxBytes);
      if (full) {
        out.add(new int[] {from, i});
        from = i;
        bytes = 0;
      }
      bytes += size;
    }
    if (from < count) {
      out.add(new int[] {from, count});
    }
    return out;
  }

  /** A repeated field element's size on the wire: tag, length and body. */
  static int framed(int bodyBytes) {
    return 1 + CodedOutputStream.computeUInt32SizeNoTag(bodyBytes) + bodyBytes;
  }
}
