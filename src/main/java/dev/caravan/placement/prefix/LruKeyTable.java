package dev.caravan.placement.prefix;

/**
 * A table of 64-bit keys in primitive arrays with an intrusive least-recently-used list: the common
 * part of the prefix index's segments and of each engine's resident blocks. No per-entry objects,
 * no allocation once the arrays have their size; not thread-safe (the owner locks).
 *
 * <p>Keys live in slots; an open-addressing table (linear probing, at most half full) maps a key to
 * its slot, and the slots are threaded into a doubly linked list from least to most recently used.
 * Slots given back go to a free list (through {@code next}). Subclasses keep their per-entry values
 * in arrays of their own, indexed by slot, and grow them in {@link #resized}.
 */
abstract class LruKeyTable {

    static final int NIL = -1;

    long[] keys;
    int[] prev;
    int[] next;
    /** slot + 1, 0 = empty; a power of two at least twice the slot count. */
    private int[] table;
    private int tableMask;
    /** Slots handed out so far; those below it are live or on the free list. */
    private int handedOut;
    private int free = NIL;
    private int live;
    int lru = NIL; // least recently used slot
    int mru = NIL;

    LruKeyTable(int slots) {
        allocate(Math.max(1, slots));
    }

    /** Live keys. */
    final int live() { return live; }

    /** Slots the arrays hold now. */
    final int slots() { return keys.length; }

    /** Whether a new key needs a slot that {@link #add} would have to grow the arrays for. */
    final boolean full() { return free == NIL && handedOut == keys.length; }

    /** The slot of {@code key}, or {@link #NIL}. */
    final int slotOf(long key) {
        int pos = find(key);
        return pos < 0 ? NIL : table[pos] - 1;
    }

    /**
     * Puts {@code key} (not present) into a free slot, growing the arrays to {@code growTo} slots
     * when none is free; the slot is not yet in the LRU list. The caller makes room beforehand when it
     * must not grow ({@code growTo <= slots()} with {@link #full()} fails).
     */
    final int add(long key, int growTo) {
        int s;
        if (free != NIL) {
            s = free;
            free = next[s];
        } else {
            if (handedOut == keys.length) {
                if (growTo <= keys.length) throw new IllegalStateException("no free slot");
                grow(growTo);
            }
            s = handedOut++;
        }
        keys[s] = key;
        int i = home(key);
        while (table[i] != 0) i = (i + 1) & tableMask;
        table[i] = s + 1;
        live++;
        return s;
    }

    /** Removes the key in slot {@code s} from the table and the LRU list; the slot becomes free. */
    final void remove(int s) {
        removeFromTable(find(keys[s]));
        unlink(s);
        next[s] = free;
        free = s;
        live--;
    }

    final void linkMru(int s) {
        prev[s] = mru;
        next[s] = NIL;
        if (mru != NIL) next[mru] = s; else lru = s;
        mru = s;
    }

    final void linkLru(int s) {
        next[s] = lru;
        prev[s] = NIL;
        if (lru != NIL) prev[lru] = s; else mru = s;
        lru = s;
    }

    /** Links {@code s} just below {@code anchor}: less recently used than it, more than anything older. */
    final void linkBelow(int s, int anchor) {
        int p = prev[anchor];
        prev[s] = p;
        next[s] = anchor;
        prev[anchor] = s;
        if (p != NIL) next[p] = s; else lru = s;
    }

    final void unlink(int s) {
        int p = prev[s], n = next[s];
        if (p != NIL) next[p] = n; else lru = n;
        if (n != NIL) prev[n] = p; else mru = p;
    }

    /** Bytes held by the arrays of this class (subclasses add their own). */
    final long baseFootprintBytes() {
        return 8L * keys.length + 4L * prev.length + 4L * next.length + 4L * table.length;
    }

    /** The arrays now have {@code slots} slots: grow the per-slot value arrays to match. */
    abstract void resized(int slots);

    private void allocate(int slots) {
        keys = new long[slots];
        prev = new int[slots];
        next = new int[slots];
        int t = Integer.highestOneBit(Math.max(2, slots) * 2 - 1) << 1;
        table = new int[t];
        tableMask = t - 1;
    }

    private void grow(int slots) {
        long[] oldKeys = keys;
        int[] oldPrev = prev, oldNext = next;
        int n = handedOut;
        allocate(slots);
        System.arraycopy(oldKeys, 0, keys, 0, n);
        System.arraycopy(oldPrev, 0, prev, 0, n);
        System.arraycopy(oldNext, 0, next, 0, n);
        // Only grown when no slot is free, so every handed-out slot is live: rehash them all.
        for (int s = 0; s < n; s++) {
            int i = home(keys[s]);
            while (table[i] != 0) i = (i + 1) & tableMask;
            table[i] = s + 1;
        }
        resized(slots);
    }

    private int home(long key) { return (int) key & tableMask; }

    private int find(long key) {
        int i = home(key);
        int v;
        while ((v = table[i]) != 0) {
            if (keys[v - 1] == key) return i;
            i = (i + 1) & tableMask;
        }
        return -1;
    }

    /** Backward-shift deletion keeps linear probing chains intact without tombstones. */
    private void removeFromTable(int i) {
        table[i] = 0;
        int j = i;
        while (true) {
            j = (j + 1) & tableMask;
            int v = table[j];
            if (v == 0) return;
            int k = home(keys[v - 1]);
            boolean movable = (j > i) ? (k <= i || k > j) : (k <= i && k > j);
            if (movable) {
                table[i] = v;
                table[j] = 0;
                i = j;
            }
        }
    }
}
