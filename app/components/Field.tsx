// A labelled form field with its error next to it (announced to screen readers).
import type { InputHTMLAttributes } from "react";

interface FieldProps extends InputHTMLAttributes<HTMLInputElement> {
  name: string;
  label: string;
  error?: string;
  help?: string;
}

export function Field({ name, label, error, help, id, ...input }: FieldProps) {
  const fieldId = id ?? `field-${name}`;
  const describedBy = [help ? `${fieldId}-help` : null, error ? `${fieldId}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={error ? "field field-error" : "field"}>
      <label htmlFor={fieldId}>{label}</label>
      <input id={fieldId} name={name} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      {help ? (
        <p className="field-help" id={`${fieldId}-help`}>
          {help}
        </p>
      ) : null}
      {error ? (
        <p className="field-message" id={`${fieldId}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert">
      {message}
    </div>
  );
}

export function Notice({ children }: { children: React.ReactNode }) {
  return (
    <div className="notice" role="status">
      {children}
    </div>
  );
}
