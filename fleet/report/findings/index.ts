/** The findings report in each format: `renderFindings(report, format)`. See docs/FLEET.md. */
import { type FindingsReport } from "../../domain/findings";
import { renderFindingsHtml } from "./html";
import { toSarif } from "./sarif";
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

/** The report in `format`, ending with a newline. Pure. */
export function renderFindings(
  report: FindingsReport,
  format: FindingsFormat,
  toolVersion: string,
): string {
  switch (format) {
    case "table":
      return `${formatFindingsTable(report)}\n`;
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "sarif":
      return `${JSON.stringify(toSarif(report, toolVersion), null, 2)}\n`;
    case "html":
      return renderFindingsHtml(report);
  }
}
