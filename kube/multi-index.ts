/**
 * A key → values index that stays cheap when most keys have one value (pod IPs): a single
 * value is stored as is and only turns into a Set once a second one arrives.
 */
export class MultiIndex<V> {
  private readonly map = new Map<string, V | Set<V>>();

  add(key: string, value: V): void {
    if (!key) return;
    const cur = this.map.get(key);
    if (cur === undefined) this.map.set(key, value);
    else if (cur instanceof Set) cur.add(value);
    else if (cur !== value) this.map.set(key, new Set([cur, value]));
  }

  delete(key: string, value: V): void {
    if (!key) return;
    const cur = this.map.get(key);
    if (cur === undefined) return;
    if (cur instanceof Set) {
      cur.delete(value);
      if (cur.size === 1) this.map.set(key, cur.values().next().value as V);
      else if (cur.size === 0) this.map.delete(key);
    } else if (cur === value) {
      this.map.delete(key);
    }
  }

  get(key: string): V[] {
    const cur = this.map.get(key);
    if (cur === undefined) return [];
    return cur instanceof Set ? [...cur] : [cur];
  }

  count(key: string): number {
    const cur = this.map.get(key);
    return cur === undefined ? 0 : cur instanceof Set ? cur.size : 1;
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
