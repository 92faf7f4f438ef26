/** The findings report in each format: `renderFindings(report, format, options)`. See docs/FLEET.md. */
import { type FindingsReport } from "../../domain/findings";
import { renderFindingsHtml } from "./html";
import { type SarifOptions, renderSarif } from "./sarif";
import { formatFindingsTable } from "./table";

export const FINDINGS_FORMATS = ["table", "json", "sarif", "html"] as const;

export type FindingsFormat = (typeof FINDINGS_FORMATS)[number];

/** `--format`: one of `FINDINGS_FORMATS`, or an error naming the option and the choices. */
export function parseFindingsFormat(value: string): FindingsFormat {
  const format = FINDINGS_FORMATS.find((f) => f === value.trim().toLowerCase());
  if (format === undefined) {
    throw new Error(
      `--format: "${value}" is not a format; use one of ${FINDINGS_FORMATS.join(", ")}`,
    );
  }
  return format;
}

/** What the formats need beyond the report (SARIF's tool version, fleet-file URI and cap). */
export type RenderOptions = SarifOptions;

/** The report in `format`, ending with a newline. Pure. */
export function renderFindings(
  report: FindingsReport,
  format: FindingsFormat,
  options: RenderOptions,
): string {
  switch (format) {
    case "table":
      return `${formatFindingsTable(report)}\n`;
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "sarif":
      return renderSarif(report, options);
    case "html":
      return renderFindingsHtml(report);
  }
}
