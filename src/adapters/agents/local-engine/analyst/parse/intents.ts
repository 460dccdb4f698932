/**
 * Messages that are not questions about the data's numbers: greetings and "take a look" (an overview), "show
 * the code", "dates are day-first" (read the table again), and tasks that need a language model.
 */
import { UPLOAD_ONLY_PROMPT } from "../../../../../core/conversation/commands";
import type { Plan } from "../plan";
import { normalizeQuestion } from "./question-parts";

/** Tasks that need a language model, not a template. */
const BEYOND =
  /\b(forecast\w*|predict\w*|projection|extrapolat\w*|regression|cluster\w*|classif\w*|train\w*|neural|machine learning|anomal\w*|outliers?|why|explain\w*|recommend\w*|optimi[sz]\w*|simulat\w*|translat\w*|sentiment|summari[sz]e the (?:trend|findings)|insights?)\b/;

const HELP = /^(help|\?|what can you do|how does this work|what do you (do|support)|commands|usage)\b/;
const OVERVIEW =
  /^(?:(?:take|have) a look|look at (?:this|it)|overview|(?:give|show) (?:me )?(?:an? )?(?:overview|summary|profile)|summary|summari[sz]e|describe|profile|explore|analy[sz]e|what(?:'s| is) in (?:this|the|here)|tell me about|show (?:me )?the (?:data|file|table)|columns)\b/;
const SHOW_CODE =
  /^(?:show|give|post|print|see|display|what(?:'s| is| was))?\s*(?:me\s+)?(?:the\s+)?(?:python\s+|source\s+)?code(?:\s+(?:you|that)\s+(?:ran|used|wrote))?(?:\s+(?:for|behind|of)\s+(?:that|this|it|the last (?:answer|one|chart)))?$|^how did you (?:compute|calculate|get) (?:that|this|it)$/;

/** True for an empty or generic message ("take a look", "here's the file") that should get an overview. */
export function isGenericRequest(question: string): boolean {
  if (question.trim() === UPLOAD_ONLY_PROMPT) return true;
  const text = normalizeQuestion(question)
    .trim()
    .replace(/[.!?]+$/, "");
  if (text === "") return true;
  if (OVERVIEW.test(text.replace(/^(?:please|pls|can you|could you|hey|hi|ok)\s+/, ""))) return true;
  return (
    /^(?:here(?:'s| is| are)?|attached|see attached|fyi|thoughts|new data|this|the file|data|hi|hello|hey)\b[^?]{0,40}$/.test(
      text,
    ) && !/\b(chart|plot|graph|by|average|sum|total|top|histogram|scatter|correlat)/.test(text)
  );
}

/** "dates are day-first", "read the dates month first", "decimal comma", "the comma is the decimal mark". */
function rereadIntent(text: string): Plan | undefined {
  const dates =
    /\b(?:dates?|days?)\b.*\b(day|month)[ -]?first\b|\b(day|month)[ -]?first\b.*\bdates?\b|^(day|month)[ -]?first$/.exec(
      text,
    );
  if (dates) return { kind: "reread", dayfirst: (dates[1] ?? dates[2] ?? dates[3]) === "day" };
  if (/\b(?:dd\/mm|dd\.mm|european dates)\b/.test(text)) return { kind: "reread", dayfirst: true };
  if (/\b(?:mm\/dd|us dates|american dates)\b/.test(text)) return { kind: "reread", dayfirst: false };
  if (
    /\bdecimal commas?\b|\bcomma (?:is|as) (?:the )?decimal\b|\bdots? (?:is|are|as) (?:the )?thousands?\b/.test(
      text,
    )
  )
    return { kind: "reread", decimal: "," };
  if (
    /\bdecimal points?\b|\bdecimal dots?\b|\b(?:point|dot) (?:is|as) (?:the )?decimal\b|\bcommas? (?:is|are|as) (?:the )?thousands?\b/.test(
      text,
    )
  )
    return { kind: "reread", decimal: "." };
  return undefined;
}

/** The plan for a message that is not an analysis, or undefined for one that may be. */
export function intentOf(question: string, columnWords: Set<string> = new Set()): Plan | undefined {
  const text = normalizeQuestion(question)
    .trim()
    .replace(/[.!?]+$/, "")
    .replace(/^(?:please|pls|can you|could you|ok|now)\s+/, "");
  if (HELP.test(text)) return { kind: "help" };
  if (SHOW_CODE.test(text)) return { kind: "code" };
  const reread = rereadIntent(text);
  if (reread) return reread;
  const beyond = BEYOND.exec(text);
  // "average fertility by cluster": a column may be called like a task for a model.
  if (beyond && !columnWords.has(beyond[1] as string)) {
    return {
      kind: "decline",
      beyond: true,
      problems: ["that needs more than the built-in analyst can do without a language model"],
      suggestions: [],
    };
  }
  return undefined;
}
