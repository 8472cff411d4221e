/**
 * A radix tree of string prefixes, each holding a bucket of values. `collect` walks a
 * path once and returns the buckets of every prefix that starts it, shortest first,
 * without allocating. Edges carry whole strings, so ten thousand rule prefixes make about
 * as many small nodes, not one node per character.
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

  /** Adds a value under a prefix; values of one bucket keep insertion order. */
  add(prefix: string, value: T): void {
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
    current.bucket.push(value);
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
