/**
 * The cards databot sends in Teams: the "Show code" Adaptive Card, file consent cards (personal chat uploads),
 * file info cards (an uploaded file), and the code message a "Show code" click posts.
 */
import type { Attachment } from "botbuilder";
import { formatBytes } from "../../../core/files/file-policy";
import { extensionOf } from "../../../core/files/file-types";
import type { CodeRun } from "../../../core/types";

export const FILE_CONSENT_CARD = "application/vnd.microsoft.teams.card.file.consent";
export const FILE_INFO_CARD = "application/vnd.microsoft.teams.card.file.info";
export const ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive";

/** The `value` an Action.Submit of the "Show code" button sends back. */
export interface ShowCodeAction {
  databot: "showCode";
  key: string;
}

/** Which card action a message activity's `value` is, if any. */
export function showCodeActionOf(value: unknown): ShowCodeAction | undefined {
  const v = value as Partial<ShowCodeAction> | undefined;
  return v && v.databot === "showCode" && typeof v.key === "string"
    ? { databot: "showCode", key: v.key }
    : undefined;
}

/** A small card under the answer with a "Show code" button. */
export function showCodeCard(key: string, runs: number): Attachment {
  return {
    contentType: ADAPTIVE_CARD,
    content: {
      type: "AdaptiveCard",
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      version: "1.5",
      body: [
        {
          type: "TextBlock",
          text:
            runs === 1
              ? "databot ran Python code for this answer."
              : `databot ran ${runs} Python cells for this answer.`,
          wrap: true,
          isSubtle: true,
          size: "Small",
        },
      ],
      actions: [{ type: "Action.Submit", title: "Show code", data: { databot: "showCode", key } }],
    },
  };
}

/** What a consent card's accept/decline carries back to databot. */
export interface ConsentContext {
  fileKey: string;
}

/** Asks the person to let databot put a file in their OneDrive (personal chat only). */
export function fileConsentCard(name: string, size: number, fileKey: string): Attachment {
  const context: ConsentContext = { fileKey };
  return {
    contentType: FILE_CONSENT_CARD,
    name,
    content: {
      description: `${name} (${formatBytes(size)}), made by databot for your question.`,
      sizeInBytes: size,
      acceptContext: context,
      declineContext: context,
    },
  };
}

/** Shows a file that now lives in OneDrive or SharePoint. */
export function fileInfoCard(
  name: string,
  contentUrl: string,
  uniqueId: string,
  fileType?: string,
): Attachment {
  return {
    contentType: FILE_INFO_CARD,
    contentUrl,
    name,
    content: { uniqueId, fileType: fileType ?? extensionOf(name).replace(/^\./, "") },
  };
}

const MAX_CODE_CHARS = 20_000;
const MAX_OUTPUT_CHARS = 2000;

/** The code of a turn as Markdown, capped to stay well under Teams' message size limit. */
export function codeMessageText(runs: CodeRun[]): string {
  const parts: string[] = [];
  let used = 0;
  for (const [index, run] of runs.entries()) {
    const header = runs.length > 1 ? `**Cell ${index + 1}**\n` : "";
    let code = run.code.replace(/```/g, "`\u200b``");
    if (used + code.length > MAX_CODE_CHARS)
      code = `${code.slice(0, Math.max(0, MAX_CODE_CHARS - used))}\n# … (cut)`;
    let block = `${header}\`\`\`${run.language}\n${code}\n\`\`\``;
    if (run.output?.trim()) {
      const output =
        run.output.length > MAX_OUTPUT_CHARS ? `${run.output.slice(0, MAX_OUTPUT_CHARS)}\n…` : run.output;
      block += `\nOutput:\n\`\`\`\n${output.replace(/```/g, "`\u200b``")}\n\`\`\``;
    }
    parts.push(block);
    used += code.length;
    if (used >= MAX_CODE_CHARS) break;
  }
  return parts.join("\n\n");
}
