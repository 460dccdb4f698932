/** The fake Foundry's "model", for contract worlds on either Azure API: it plays the answers in the book. */
import type { FakeTurn, TurnScript } from "../../fakes/foundry/script";
import type { AnswerBook } from "../answer-book";

export function foundryTurns(book: AnswerBook): TurnScript {
  return ({ question, files }) => {
    const { key, answer, hold } = book.play(question);
    book.recordFiles(
      key,
      files.map((f) => ({ name: f.name, content: f.content.toString("utf8") })),
    );
    const turn: FakeTurn = { code: [{ input: answer.code, logs: answer.output }], text: answer.text, hold };
    return answer.fail
      ? { ...turn, end: { status: "failed", code: "invalid_request", message: answer.fail } }
      : turn;
  };
}
