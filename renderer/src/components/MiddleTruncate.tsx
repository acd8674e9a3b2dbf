// A name that, when it does not fit, is cut in the middle: the head ellipsises, the tail (what
// tells neighbours apart, e.g. a host number) always shows. The full name is the tooltip.
import { splitForTruncation } from '../lib/format';

export function MiddleTruncate({
  text,
  className,
  testId,
}: {
  text: string;
  className?: string;
  testId?: string;
}) {
  const { head, tail } = splitForTruncation(text);
  return (
    <span
      className={`trunc-mid${className ? ` ${className}` : ''}`}
      title={text}
      data-testid={testId}
    >
      <span className="trunc-mid__head">{head}</span>
      <span className="trunc-mid__tail">{tail}</span>
    </span>
  );
}
