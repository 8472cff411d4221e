/**
 * A radix tree of string prefixes, each holding a bucket of values. `collect` walks a
 * path once and returns the buckets of every prefix that starts it, shortest first,
 * without allocating. Edges carry whole strings, so ten thousand rule prefixes make about
 * as many small nodes, not one node per character. Buckets can be kept in an order (an
 * `add` with a comparator inserts in place), so one value can come and go without a rebuild.
 */
interface Node<T> {
  /** The edge into this node. */
  label: string;
  bucket: T[];
  /** First code unit of each child's label, parallel to `children` (fan-out is small). */
  keys: number[];
  children: Array<Node<T>>;
}

const node = <T>(label: string): Node<T> => ({ label, bucket: [], keys: [], children: [] });

export class PrefixTree<T> {
  readonly #root: Node<T> = node('');

  /**
   * Adds a value under a prefix. Without `compare`, values of one bucket keep insertion
   * order; with it, the value goes after every value that does not sort after it.
   */
  add(prefix: string, value: T, compare?: (a: T, b: T) => number): void {
    const bucket = this.#node(prefix).bucket;
    if (compare === undefined) {
      bucket.push(value);
      return;
    }
    let low = 0;
    let high = bucket.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(bucket[mid] as T, value) <= 0) low = mid + 1;
      else high = mid;
    }
    if (low === bucket.length) bucket.push(value);
    else bucket.splice(low, 0, value);
  }

  /** Removes one value from a prefix's bucket; false when it was not there. */
  remove(prefix: string, value: T): boolean {
    let current: Node<T> = this.#root;
    let i = 0;
    while (i < prefix.length) {
      const at = current.keys.indexOf(prefix.charCodeAt(i));
      if (at === -1) return false;
      const child = current.children[at] as Node<T>;
      if (!prefix.startsWith(child.label, i)) return false;
      i += child.label.length;
      current = child;
    }
    if (i !== prefix.length) return false;
    const at = current.bucket.indexOf(value);
    if (at === -1) return false;
    current.bucket.splice(at, 1);
    return true;
  }

  /** The node for exactly this prefix, created (splitting an edge if need be) when absent. */
  #node(prefix: string): Node<T> {
    let current = this.#root;
    let i = 0;
    while (i < prefix.length) {
      const at = current.keys.indexOf(prefix.charCodeAt(i));
      if (at === -1) {
        const leaf = node<T>(prefix.slice(i));
        current.keys.push(prefix.charCodeAt(i));
        current.children.push(leaf);
        current = leaf;
        break;
      }
      const child = current.children[at] as Node<T>;
      const label = child.label;
      let common = 1;
      while (common < label.length && i + common < prefix.length && label.charCodeAt(common) === prefix.charCodeAt(i + common)) common++;
      if (common < label.length) {
        // The prefix ends or diverges inside the edge: split it so the prefix gets a node.
        const middle = node<T>(label.slice(0, common));
        child.label = label.slice(common);
        middle.keys.push(child.label.charCodeAt(0));
        middle.children.push(child);
        current.children[at] = middle;
        current = middle;
      } else {
        current = child;
      }
      i += common;
    }
    return current;
  }

  /** Replaces `out`'s contents with the non-empty buckets of every prefix of `path`, shortest first. */
  collect(path: string, out: T[][]): void {
    out.length = 0;
    let current: Node<T> = this.#root;
    let i = 0;
    for (;;) {
      if (current.bucket.length > 0) out.push(current.bucket);
      if (i === path.length) return;
      const at = current.keys.indexOf(path.charCodeAt(i));
      if (at === -1) return;
      const child = current.children[at] as Node<T>;
      if (!path.startsWith(child.label, i)) return;
      i += child.label.length;
      current = child;
    }
  }
}
