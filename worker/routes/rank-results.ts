/**
 * Orders scores best first (ties keep input order, so results are deterministic) and keeps the
 * first `topN`. Pure, so the ranking that every cached or fresh score goes through is one function.
 */
export function rankResults(scores: readonly number[], topN?: number): Array<{ index: number; score: number }> {
  const ranked = scores.map((score, index) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
  return topN === undefined ? ranked : ranked.slice(0, topN);
}
