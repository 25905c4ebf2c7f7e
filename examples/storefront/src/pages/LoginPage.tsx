import { useState } from 'react';
import { tokenFrom } from '../auth';

/** The shop's login would issue a token; for the demo, paste the one `npm start` prints. */
export function LoginPage({ onSignIn }: { onSignIn: (token: string) => void }) {
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      className="login"
      onSubmit={(event) => {
        event.preventDefault();
        const token = tokenFrom(pasted);
        if (token) onSignIn(token);
        else setProblem('That is not a token: paste the "demo customer" line npm start printed.');
      }}
    >
      <h1>Sign in</h1>
      <label>
        Demo token (the "demo customer" line that <code>npm start</code> prints)
        <textarea
          value={pasted}
          onChange={(event) => setPasted(event.target.value)}
          rows={4}
          data-testid="token"
        />
      </label>
      <button type="submit">Sign in</button>
      {problem && <p role="alert">{problem}</p>}
    </form>
  );
}
