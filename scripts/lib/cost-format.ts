/** Text renderings of a cost estimate: the CLI's line-by-line table and money as people read it. */
import type { CostEstimate } from '../../src/cost/cost-types';

/** Dollars with cents, or to 4 decimals below a cent so that tiny lines do not read as free. */
export function usd(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A unit price: as many significant digits as it has (list prices run to 10 decimals). */
export function unitPrice(value: number): string {
  return `$${value.toFixed(10).replace(/\.?0+$/, '')}`;
}

/** A quantity with thousands separators, to 2 decimals at most. */
export function quantity(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** Rows of cells, padded into aligned columns (the first `left` columns left-aligned, the rest right). */
export function columns(rows: string[][], left: number): string {
  const widths = rows[0]!.map((_, index) => Math.max(...rows.map((row) => row[index]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index < left ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The estimate's rows, headings first and the total last (`bold` wraps the total's cells, for Markdown). */
export function estimateRows(
  estimate: CostEstimate,
  bold: (text: string) => string = (text) => text,
): string[][] {
  return [
    ['service', 'item', 'quantity', 'unit', 'unit price', 'per month'],
    ...estimate.lines.map((line) => [
      line.service,
      line.item,
      quantity(line.quantity),
      line.unit,
      unitPrice(line.unitPriceUsd),
      usd(line.monthlyUsd),
    ]),
    [bold('total'), '', '', '', '', bold(usd(estimate.totalUsd))],
  ];
}

/** The estimate line by line, then its total. */
export function estimateTable(estimate: CostEstimate): string {
  return `${columns(estimateRows(estimate), 2)}\n(${estimate.region} list prices of ${estimate.pricesAsOf}, no free tier)`;
}
