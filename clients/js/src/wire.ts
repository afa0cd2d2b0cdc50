import { contractShapes } from "./contracts.generated.js";

/**
 * Turns the JSON protocol's ISO-8601 timestamp strings into `Date`s, in place, following the generated
 * {@link contractShapes}; MessagePack values already hold `Date`s and pass through unchanged.
 *
 * @param value a payload as the hub protocol decoded it
 * @param shape a contract type name, `Date`, or either followed by `[]` (list) or `{}` (string-keyed map)
 */
export function revive<T>(value: T, shape: string | null | undefined): T {
  if (value === null || value === undefined || !shape) {
    return value;
  }
  if (shape.endsWith("[]")) {
    const item = shape.slice(0, -2);
    return (Array.isArray(value) ? value.map((entry) => revive(entry, item)) : value) as T;
  }
  if (shape.endsWith("{}")) {
    const item = shape.slice(0, -2);
    const map = value as Record<string, unknown>;
    for (const key of Object.keys(map)) {
      map[key] = revive(map[key], item);
    }
    return value;
  }
  if (shape === "Date") {
    return (typeof value === "string" ? new Date(value) : value) as T;
  }
  const fields = contractShapes[shape];
  if (fields && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const [field, fieldShape] of Object.entries(fields)) {
      record[field] = revive(record[field], fieldShape);
    }
  }
  return value;
}

/** A random id for `clientMessageId`; works outside secure contexts too, where `crypto.randomUUID` is missing. */
export function newClientMessageId(): string {
  const cryptoApi = globalThis.crypto;
  if (typeof cryptoApi?.randomUUID === "function") {
    return cryptoApi.randomUUID();
  }
  const bytes = new Uint8Array(16);
  cryptoApi.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
