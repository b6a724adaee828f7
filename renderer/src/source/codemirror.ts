// CodeMirror 6, loaded on first use (source-loader.ts) so the app's first paint does not pay for
// it: the YAML source editor with the loader's problems as inline diagnostics, and the
// side-by-side view of two versions of the file.
import { yaml } from '@codemirror/lang-yaml';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { forceLinting, lintGutter, linter, type Diagnostic } from '@codemirror/lint';
import { MergeView } from '@codemirror/merge';
import { Compartment, EditorState, type Text } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { basicSetup } from 'codemirror';
import type { ConfigProblem } from '../../../shared/config-types';

/** The app's colours (CSS variables), so both themes apply. */
const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '12.5px', backgroundColor: 'var(--log-bg)', color: 'var(--text)' },
  '.cm-scroller': { fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, monospace", lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: 'var(--panel)', color: 'var(--muted)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'color-mix(in srgb, var(--accent) 8%, transparent)' },
  '.cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 14%, transparent)' },
  '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'color-mix(in srgb, var(--accent) 30%, transparent)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--text)', border: '1px solid var(--border)' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--danger)' },
  '.cm-diagnostic-warning': { borderLeftColor: 'var(--warn)' },
  '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--text)' },
  // The compare view's folded stretches (its default is a light gradient and a glyph most
  // monospace fonts lack).
  '.cm-collapsedLines': { background: 'var(--panel-2)', color: 'var(--muted)', borderTop: '1px solid var(--border)', borderBottom: '1px solid var(--border)' },
  '.cm-collapsedLines:before': { content: '"⋯  "' },
  '.cm-collapsedLines:after': { content: '"  ⋯"' },
  '.cm-changedLine': { backgroundColor: 'color-mix(in srgb, var(--warn) 10%, transparent)' },
});

/** Syntax colours from the app's variables: readable on both themes (CodeMirror's default
 * style is made for light backgrounds). */
const highlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.propertyName, color: 'var(--accent)' },
    { tag: tags.comment, color: 'var(--muted)', fontStyle: 'italic' },
    { tag: tags.string, color: 'var(--ok)' },
    { tag: [tags.number, tags.bool, tags.null, tags.atom], color: 'var(--warn)' },
    { tag: [tags.keyword, tags.typeName, tags.labelName, tags.meta], color: '#b58cf0' },
    { tag: [tags.punctuation, tags.separator, tags.squareBracket, tags.brace], color: 'var(--muted)' },
  ]),
);

/** A problem's place in the text: from its line and column to the end of the token there. */
export function problemRange(doc: Text, p: Pick<ConfigProblem, 'line' | 'column'>): { from: number; to: number } {
  if (p.line < 1 || doc.lines === 0) return { from: 0, to: Math.min(doc.length, doc.line(1).to) };
  const line = doc.line(Math.min(p.line, doc.lines));
  const from = Math.min(line.from + Math.max(0, p.column - 1), line.to);
  const rest = line.text.slice(from - line.from);
  const token = /^("[^"]*"|'[^']*'|[^\s,\]}#]+)/.exec(rest)?.[0].length ?? 0;
  return { from, to: token > 0 ? from + token : Math.min(line.to, from + 1) };
}

export function toDiagnostics(doc: Text, problems: readonly ConfigProblem[], file: string | null): Diagnostic[] {
  return problems
    .filter((p) => file === null || p.file === file)
    .map((p) => ({ ...problemRange(doc, p), severity: p.severity, message: p.path ? `${p.path}: ${p.message}` : p.message, source: 'harness' }));
}

export interface SourceEditor {
  view: EditorView;
  text(): string;
  /** Replaces the whole text (not reported as a user change). */
  setText(text: string): void;
  setProblems(problems: readonly ConfigProblem[]): void;
  destroy(): void;
}

export function createSourceEditor(parent: HTMLElement, opts: { text: string; file: string | null; onChange: (text: string) => void }): SourceEditor {
  let problems: readonly ConfigProblem[] = [];
  let external = false;
  const lint = new Compartment();
  const makeLinter = () => linter((view) => toDiagnostics(view.state.doc, problems, opts.file), { delay: 0 });
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.text,
      extensions: [
        basicSetup,
        yaml(),
        theme,
        highlight,
        lintGutter(),
        lint.of(makeLinter()),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !external) opts.onChange(u.state.doc.toString());
        }),
        EditorView.contentAttributes.of({ 'data-testid': 'source-editor', 'aria-label': 'services.yaml source' }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      if (text === view.state.doc.toString()) return;
      external = true;
      try {
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      } finally {
        external = false;
      }
    },
    setProblems(next) {
      problems = next;
      view.dispatch({ effects: lint.reconfigure(makeLinter()) });
      forceLinting(view);
    },
    destroy: () => view.destroy(),
  };
}

export interface CompareView {
  /** The right-hand side: the draft, editable, with chunks taken over from the left. */
  merged(): string;
  destroy(): void;
}

/** The file on disk (left, read-only) next to the draft (right); arrows copy a chunk from the
 * left into the draft. */
export function createCompareView(parent: HTMLElement, opts: { disk: string; draft: string }): CompareView {
  const common = [basicSetup, yaml(), theme, highlight];
  const view = new MergeView({
    parent,
    a: { doc: opts.disk, extensions: [...common, EditorState.readOnly.of(true), EditorView.editable.of(false)] },
    b: { doc: opts.draft, extensions: common },
    revertControls: 'a-to-b',
    highlightChanges: true,
    gutter: true,
    collapseUnchanged: { margin: 3, minSize: 6 },
  });
  return { merged: () => view.b.state.doc.toString(), destroy: () => view.destroy() };
}
