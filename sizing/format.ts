/** Number words used in messages for small counts ("two nodes"). */
const NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight"];

/** Formats a count with its noun, in words up to eight: "two nodes", "12 GPUs". */
export function countText(count: number, noun: string): string {
  const number = NUMBER_WORDS[count] ?? String(count);
  return `${number} ${noun}${count === 1 ? "" : "s"}`;
}

/** Formats a GPU count: "1 GPU", "8 GPUs". */
export function gpusText(count: number): string {
  return `${count} GPU${count === 1 ? "" : "s"}`;
}

/** Joins items as English prose: "a, b and c". */
export function listText(items: string[], conjunction: "and" | "or"): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items[items.length - 1]}`;
}

/** Formats a size in GiB with one decimal: "60.6 GiB". */
export function gibText(gib: number): string {
  return `${gib.toFixed(1)} GiB`;
}

/** Formats a token count with thousands separators: "1,048,576". */
export function tokensText(tokens: number): string {
  return tokens.toLocaleString("en-US");
}

/** Formats a number with thousands separators: "1,000". */
export function numberText(value: number): string {
  return value.toLocaleString("en-US");
}

/** Formats US dollars with two decimals: "$55.04". */
export function usdText(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

/** Rounds to two decimals, for figures that go into the plan's JSON. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
