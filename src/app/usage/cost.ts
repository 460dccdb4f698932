/** The cost estimate: sessions and tokens at the configured prices. */
import type { PriceConfig } from "../../config";

export type Prices = PriceConfig;

export const NO_PRICES: Prices = { perSession: 0, per1kInputTokens: 0, per1kOutputTokens: 0 };

export function estimateCost(
  prices: Prices,
  used: { sessions: number; inputTokens: number; outputTokens: number },
): number {
  return (
    used.sessions * prices.perSession +
    (used.inputTokens / 1000) * prices.per1kInputTokens +
    (used.outputTokens / 1000) * prices.per1kOutputTokens
  );
}
