import type { ComponentChildren } from 'preact';
import type { PageContext } from './render.js';

/** What a form shows back after a refusal: the values typed and a translated message per field. */
export interface FormState {
  values: Record<string, string | string[] | undefined>;
  errors: Record<string, string>;
}

export const emptyForm = (values: FormState['values'] = {}): FormState => ({ values, errors: {} });

function fieldId(name: string): string {
  return `field-${name}`;
}

function describedBy(...ids: Array<string | false | undefined>): string | undefined {
  const list = ids.filter(Boolean) as string[];
  return list.length ? list.join(' ') : undefined;
}

/** The list of problems at the top of a refused form, each linking to its field (focused first by screen readers). */
export function ErrorSummary({ ctx, state, labels }: { ctx: PageContext; state: FormState; labels: Record<string, string> }) {
  const entries = Object.entries(state.errors);
  if (entries.length === 0) return null;
  return (
    <div class="alert alert-error" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} id="error-summary">
      <h2 id="error-summary-title" class="alert-title">
        {ctx.i18n.t('form.errorSummary')}
      </h2>
      <ul>
        {entries.map(([name, message]) => (
          <li>
            <a href={`#${fieldId(name)}`}>{labels[name] ? `${labels[name]}: ${message}` : message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function FieldMessage({ name, state }: { name: string; state: FormState }) {
  const message = state.errors[name];
  if (!message) return null;
  return (
    <p class="field-error" id={`${fieldId(name)}-error`}>
      {message}
    </p>
  );
}

interface InputProps {
  name: string;
  label: string;
  state: FormState;
  type?: 'text' | 'email' | 'password' | 'number' | 'search' | 'url' | 'date';
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  maxLength?: number;
  inputMode?: 'numeric' | 'text' | 'email';
  min?: number;
  max?: number;
  lang?: string;
}

/** The attributes that tie a control to its hint and its error message. */
function controlAria(id: string, hint: string | undefined, error: string | undefined) {
  return {
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(hint && `${id}-hint`, error && `${id}-error`),
  };
}

/** A field's frame: its label, hint and error message above the control. */
function FieldFrame(props: { name: string; label: string; hint?: string | undefined; state: FormState; children: ComponentChildren }) {
  const id = fieldId(props.name);
  return (
    <div class={props.state.errors[props.name] ? 'field field-invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldMessage name={props.name} state={props.state} />
      {props.children}
    </div>
  );
}

/** A labelled input with its hint and its error message tied to it for assistive technology. */
export function TextField(props: InputProps) {
  const id = fieldId(props.name);
  const value = props.state.values[props.name];
  return (
    <FieldFrame name={props.name} label={props.label} hint={props.hint} state={props.state}>
      <input
        id={id}
        name={props.name}
        type={(props.type ?? 'text') as 'text'}
        value={props.type === 'password' ? '' : typeof value === 'string' ? value : ''}
        autocomplete={props.autocomplete}
        required={props.required}
        maxLength={props.maxLength}
        inputMode={props.inputMode}
        min={props.min}
        max={props.max}
        {...controlAria(id, props.hint, props.state.errors[props.name])}
      />
    </FieldFrame>
  );
}

/** A labelled multi-line text field. */
export function TextArea(props: Omit<InputProps, 'type' | 'min' | 'max' | 'inputMode'> & { rows?: number }) {
  const id = fieldId(props.name);
  const value = props.state.values[props.name];
  return (
    <FieldFrame name={props.name} label={props.label} hint={props.hint} state={props.state}>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 4}
        maxLength={props.maxLength}
        required={props.required}
        {...controlAria(id, props.hint, props.state.errors[props.name])}
      >
        {typeof value === 'string' ? value : ''}
      </textarea>
    </FieldFrame>
  );
}

/** One checkbox with its label after it. */
export function CheckboxField(props: { name: string; label: string; state: FormState; hint?: string }) {
  const id = fieldId(props.name);
  const error = props.state.errors[props.name];
  const value = props.state.values[props.name];
  return (
    <div class="field field-checkbox">
      <FieldMessage name={props.name} state={props.state} />
      <input
        id={id}
        name={props.name}
        type="checkbox"
        checked={value === 'on' || value === 'true'}
        {...controlAria(id, props.hint, error)}
      />
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/** A group of checkboxes or radio buttons sharing one name, in a fieldset with a legend. */
export function ChoiceGroup(props: {
  name: string;
  legend: string;
  options: Array<{ value: string; label: string; lang?: string }>;
  state: FormState;
  type?: 'checkbox' | 'radio';
  hint?: string;
}) {
  const id = fieldId(props.name);
  const error = props.state.errors[props.name];
  const raw = props.state.values[props.name];
  const selected = new Set(Array.isArray(raw) ? raw : raw ? [raw] : []);
  return (
    <fieldset
      class={error ? 'field choice-group field-invalid' : 'field choice-group'}
      id={id}
      tabIndex={-1}
      aria-describedby={describedBy(props.hint && `${id}-hint`, error && `${id}-error`)}
    >
      <legend>{props.legend}</legend>
      {props.hint ? (
        <p class="field-hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      <FieldMessage name={props.name} state={props.state} />
      <div class="choices">
        {props.options.map((option, index) => (
          <div class="choice">
            <input
              id={`${id}-${index}`}
              type={props.type ?? 'checkbox'}
              name={props.name}
              value={option.value}
              checked={selected.has(option.value)}
            />
            <label for={`${id}-${index}`} lang={option.lang}>
              {option.label}
            </label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

/** A labelled select. */
export function SelectField(props: {
  name: string;
  label: string;
  options: Array<{ value: string; label: string }>;
  state: FormState;
  hint?: string;
}) {
  const id = fieldId(props.name);
  const value = props.state.values[props.name];
  return (
    <FieldFrame name={props.name} label={props.label} hint={props.hint} state={props.state}>
      <select id={id} name={props.name} {...controlAria(id, props.hint, props.state.errors[props.name])}>
        {props.options.map((option) => (
          <option value={option.value} selected={option.value === value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}
