/**
 * A form's save/cancel row: the submit button (disabled while saving), Cancel, and the save
 * error beside them. `testId` prefixes the test ids (`<testId>-save`, `<testId>-save-error`).
 */
export function FormActions({
  saving,
  label,
  onCancel,
  saveError,
  testId,
}: {
  saving: boolean;
  /** The submit button's words when not saving ("Create rule", "Save runbook"). */
  label: string;
  onCancel: () => void;
  saveError: string | null;
  testId: string;
}) {
  return (
    <div className="rule-form__actions">
      <button
        type="submit"
        className="btn btn--primary"
        disabled={saving}
        data-testid={`${testId}-save`}
      >
        {saving ? 'Saving…' : label}
      </button>
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
      {saveError && (
        <span className="rule-form__error" role="alert" data-testid={`${testId}-save-error`}>
          {saveError}
        </span>
      )}
    </div>
  );
}
