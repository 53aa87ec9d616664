-- Billing that completes: an open checkout expires by itself (practice.checkout.expiry, 24 h by default, as
-- Stripe's do), and a paid one (Stripe's checkout.session.completed webhook) makes an active subscription.
ALTER TABLE checkout_sessions ADD COLUMN expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours';
ALTER TABLE checkout_sessions ADD COLUMN closed_at timestamptz;
CREATE INDEX checkout_sessions_open_by_expiry ON checkout_sessions (expires_at) WHERE status = 'open';
CREATE INDEX checkout_sessions_by_gateway_session ON checkout_sessions (gateway_session_id);

CREATE TABLE subscriptions (
    user_id             varchar(32) PRIMARY KEY REFERENCES users (id),
    plan                varchar(16) NOT NULL,
    status              varchar(16) NOT NULL,
    checkout_session_id uuid        NOT NULL REFERENCES checkout_sessions (id),
    activated_at        timestamptz NOT NULL DEFAULT now()
);
