/**
 * `parse` with each text's result kept (undefined too), for parses the pack repeats over few
 * distinct texts (a stack's quantities and image references). Bounded: cleared at `bound` entries,
 * so texts from data never grow it without end. Callers only read what it returns.
 */
export function keptPerText<T>(parse: (text: string) => T, bound = 4096): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    let value = kept.get(text);
    if (value === undefined && !kept.has(text)) {
      value = parse(text);
      if (kept.size >= bound) kept.clear();
      kept.set(text, value);
    }
    return value as T;
  };
}
