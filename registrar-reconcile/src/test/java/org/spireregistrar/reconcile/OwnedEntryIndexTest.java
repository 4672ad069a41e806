package org.spireregistrar.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.spireregistrar.core.Entry;
import org.spireregistrar.core.EntryId;
import org.spireregistrar.core.EntryResult;
import org.spireregistrar.core.EntrySpec;
import org.spireregistrar.core.Selector;
import org.spireregistrar.core.SpiffeId;
import org.spireregistrar.core.entry.Ownership;

class OwnedEntryIndexTest {
  private static final String ROOT = "spiffe://example.org/spire-k8s-registrar/c1/node";
  private static final List<Selector> WEB = selectors("k8s:ns:shop", "k8s:pod-name:web-0");
  private static final List<Selector> DB = selectors("k8s:ns:shop", "k8s:pod-name:db-0");

  private final OwnedEntryIndex index =
      new OwnedEntryIndex(Ownership.underRoot(SpiffeId.parse(ROOT)));
  // The two owned entries most cases start from.
  private final Entry web = owned("w1", "/ns/shop/sa/web", WEB);
  private final Entry db = owned("d1", "/ns/shop/sa/db", DB);

  private static List<Selector> selectors(String... s) {
    return List.of(s).stream().map(Selector::parse).toList();
  }

  private static Entry owned(String id, String path, List<Selector> selectors) {
    return Entry.of(
        new EntryId(id),
        EntrySpec.of(
            SpiffeId.parse("spiffe://example.org" + path),
            SpiffeId.parse(ROOT + "/n1"),
            selectors));
  }

  private static Entry foreign(String id, List<Selector> selectors) {
    return Entry.of(
        new EntryId(id),
        EntrySpec.of(
            SpiffeId.parse("spiffe://example.org/other"),
            SpiffeId.parse("spiffe://example.org/agent/x"),
            selectors));
  }

  private static EntryResult failure(EntryResult.Code code) {
    return EntryResult.failure(code, "boom", Optional.empty());
  }

  @Test
  void loadKeepsOnlyOwnedEntriesGroupedBySelectors() {
    Entry web1 = owned("w1", "/ns/shop/sa/web", WEB);
    Entry web2 = owned("w2", "/ns/shop/sa/web2", WEB);
    assertThat(index.loaded()).isFalse();

    index.load(List.of(web1, foreign("f1", WEB), db, web2, foreign("f2", DB)));

    assertThat(index.loaded()).isTrue();
    assertThat(index.size()).isEqualTo(3);
    assertThat(index.get(WEB)).containsExactly(web1, web2);
    assertThat(index.get(DB)).containsExactly(db);
    assertThat(index.get(selectors("k8s:ns:x", "k8s:pod-name:y"))).isEmpty();
    assertThat(index.selectorSets()).containsExactlyInAnyOrder(WEB, DB);
  }

  @Test
  void loadReplacesWhatWasThere() {
    index.load(List.of(owned("w1", "/a", WEB), owned("d1", "/b", DB)));
    index.load(List.of(owned("w9", "/c", WEB)));
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.get(DB)).isEmpty();
    assertThat(index.get(WEB)).extracting(e -> e.id().value()).containsExactly("w9");
  }

  @Test
  void listedBeforeGivesTheIndexedObjectOfAnOwnedIdInAnyOrderButNotOneForgotten() {
    index.load(List.of(web, foreign("f1", DB), db));

    Function<String, Entry> inOrder = index.listedBefore();
    assertThat(inOrder.apply("w1")).isSameAs(web);
    assertThat(inOrder.apply("f1")).as("foreign").isNull();
    assertThat(inOrder.apply("d1")).isSameAs(db);
    assertThat(inOrder.apply("nope")).isNull();
    Function<String, Entry> reversed = index.listedBefore();
    assertThat(reversed.apply("d1")).isSameAs(db);
    assertThat(reversed.apply("w1")).isSameAs(web);

    // Deleted since the load: where the order predicts it, it is no longer given.
    assertThat(index.applyDelete(web, EntryResult.ok(web))).isTrue();
    assertThat(index.listedBefore().apply("w1")).isNull();
    Entry replaced = owned("d1", "/ns/shop/sa/db-v2", DB);
    assertThat(index.applyUpdate(replaced, EntryResult.ok(replaced))).isTrue();
    Function<String, Entry> after = index.listedBefore();
    assertThat(after.apply("w1")).isNull();
    assertThat(after.apply("d1")).isSameAs(replaced);
  }

  @Test
  void aLoadInAnotherOrderKeepsTheIndexAndLearnsTheOrder() {
    index.load(List.of(web, db));

    index.load(List.of(db, web));
    assertThat(index.get(WEB)).containsExactly(web);
    assertThat(index.get(DB)).containsExactly(db);
    Function<String, Entry> listed = index.listedBefore();
    assertThat(listed.apply("d1")).isSameAs(db);
    assertThat(listed.apply("w1")).isSameAs(web);

    index.load(List.of(db));
    assertThat(index.get(WEB)).isEmpty();
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void aLoadOfTheIndexedObjectsThemselvesLeavesTheIndexAsItWas() {
    index.load(List.of(web, db));

    index.load(List.of(foreign("f1", WEB), db, web));

    assertThat(index.size()).isEqualTo(2);
    assertThat(index.get(WEB)).containsExactly(web);
    assertThat(index.get(DB)).containsExactly(db);
  }

  @Test
  void aLoadThatListsAnIndexedObjectTwiceAndAnotherNotAtAllForgetsTheMissingOne() {
    index.load(List.of(web, db));

    index.load(List.of(web, web));

    assertThat(index.size()).isEqualTo(1);
    assertThat(index.get(DB)).isEmpty();
    assertThat(index.listedBefore().apply("d1")).isNull();
    assertThat(index.selectorSets()).containsExactly(WEB);
  }

  @Test
  void aLoadWithoutAnIndexedEntryOrWithANewOrChangedOneIndexesWhatItLists() {
    index.load(List.of(web, db));

    index.load(List.of(web));
    assertThat(index.get(DB)).as("gone from SPIRE").isEmpty();
    assertThat(index.size()).isEqualTo(1);

    Entry moved = owned("w1", "/ns/shop/sa/web", DB);
    index.load(List.of(moved));
    assertThat(index.get(WEB)).as("the same ID with other selectors").isEmpty();
    assertThat(index.get(DB)).containsExactly(moved);

    Entry copy = owned("w1", "/ns/shop/sa/web", DB);
    Entry added = owned("w2", "/ns/shop/sa/web", WEB);
    index.load(List.of(copy, added));
    assertThat(index.listedBefore().apply("w1"))
        .as("an equal copy replaces the object")
        .isSameAs(copy);
    assertThat(index.get(WEB)).containsExactly(added);
    assertThat(index.size()).isEqualTo(2);
  }

  @Test
  void anUpdateResultWithOtherSelectorsMovesTheEntry() {
    index.load(List.of(web));

    Entry moved = owned("w1", "/ns/shop/sa/web", DB);
    assertThat(index.applyUpdate(moved, EntryResult.ok(moved))).isTrue();

    assertThat(index.get(WEB)).isEmpty();
    assertThat(index.get(DB)).containsExactly(moved);
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.selectorSets()).containsExactly(DB);
  }

  @Test
  void theVersionMovesWithEveryChangeToWhatIsIndexedAndOnlyThen() {
    index.load(List.of(web, db));
    long v = index.version();

    index.load(List.of(web, foreign("f1", DB), db));
    assertThat(index.version()).as("the same objects listed").isEqualTo(v);
    index.applyCreate(EntryResult.alreadyExists(foreign("f2", WEB)));
    index.applyDelete(db, failure(EntryResult.Code.INTERNAL));
    assertThat(index.version()).as("nothing indexed changed").isEqualTo(v);

    Entry copy = owned("w1", "/ns/shop/sa/web", WEB);
    index.load(List.of(copy, db));
    assertThat(index.version()).as("an equal copy").isNotEqualTo(v);
    v = index.version();
    Entry web2 = owned("w2", "/ns/shop/sa/web2", WEB);
    index.applyCreate(EntryResult.ok(web2));
    assertThat(index.version()).isNotEqualTo(v);
    v = index.version();
    index.applyUpdate(web2, EntryResult.ok(owned("w2", "/ns/shop/sa/web3", WEB)));
    assertThat(index.version()).isNotEqualTo(v);
    v = index.version();
    index.applyDelete(web2, EntryResult.ok(web2));
    assertThat(index.version()).isNotEqualTo(v);
  }

  @Test
  void createResultsIndexNewAndAdoptedEntriesOnly() {
    index.load(List.of());
    Entry created = owned("w1", "/ns/shop/sa/web", WEB);
    Entry adopted = owned("d1", "/ns/shop/sa/db", DB);

    assertThat(index.applyCreate(EntryResult.ok(created))).isTrue();
    assertThat(index.applyCreate(EntryResult.alreadyExists(adopted))).isTrue();
    assertThat(index.applyCreate(failure(EntryResult.Code.INTERNAL))).isFalse();
    assertThat(
            index.applyCreate(
                new EntryResult(EntryResult.Code.OK, "", Optional.empty(), Optional.empty())))
        .as("OK without the entry")
        .isFalse();

    assertThat(index.size()).isEqualTo(2);
    assertThat(index.get(WEB)).containsExactly(created);
    assertThat(index.get(DB)).containsExactly(adopted);
  }

  @Test
  void neverIndexesForeignEntries() {
    index.load(List.of(foreign("f1", WEB)));
    assertThat(index.applyCreate(EntryResult.alreadyExists(foreign("f2", DB))))
        .as("the similar entry exists")
        .isTrue();
    Entry f3 = foreign("f3", WEB);
    assertThat(index.applyUpdate(f3, EntryResult.ok(f3))).isTrue();
    assertThat(index.size()).isZero();
    assertThat(index.get(WEB)).isEmpty();
    assertThat(index.get(DB)).isEmpty();
    assertThat(index.selectorSets()).isEmpty();
  }

  @Test
  void updateResultsReplaceTheEntryOrForgetAVanishedOne() {
    index.load(List.of(web, db));

    Entry changed = owned("w1", "/ns/shop/sa/web-v2", WEB);
    assertThat(index.applyUpdate(changed, EntryResult.ok(changed))).isTrue();
    assertThat(index.get(WEB)).containsExactly(changed);

    Entry sent = owned("w1", "/ns/shop/sa/web-v3", WEB);
    assertThat(
            index.applyUpdate(
                sent, new EntryResult(EntryResult.Code.OK, "", Optional.empty(), Optional.empty())))
        .as("OK without the entry keeps what was sent")
        .isTrue();
    assertThat(index.get(WEB)).containsExactly(sent);

    assertThat(index.applyUpdate(db, failure(EntryResult.Code.INTERNAL))).isFalse();
    assertThat(index.get(DB)).containsExactly(db);
    assertThat(index.applyUpdate(db, failure(EntryResult.Code.NOT_FOUND))).isFalse();
    assertThat(index.get(DB)).isEmpty();
    assertThat(index.selectorSets()).containsExactly(WEB);
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void deleteResultsForgetTheEntryWhenItIsGone() {
    Entry web2 = owned("w2", "/ns/shop/sa/web2", WEB);
    index.load(List.of(web, web2, db));

    assertThat(index.applyDelete(web, EntryResult.deleted(web.id()))).isTrue();
    assertThat(index.applyDelete(db, failure(EntryResult.Code.NOT_FOUND))).isTrue();
    assertThat(index.applyDelete(web2, failure(EntryResult.Code.PERMISSION_DENIED))).isFalse();

    assertThat(index.get(WEB)).containsExactly(web2);
    assertThat(index.get(DB)).isEmpty();
    assertThat(index.size()).isEqualTo(1);
    // Forgetting twice does not count twice.
    assertThat(index.applyDelete(web, EntryResult.deleted(web.id()))).isTrue();
    assertThat(index.size()).isEqualTo(1);
  }
}
