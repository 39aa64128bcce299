package migrations

// Released lists, in the order they apply, the migration files that have shipped: databases in
// use may have applied any prefix of it, so none may be renamed, removed or edited, and a new
// file must sort after the last of them (see the package doc). A file joins the end of this list
// when it ships.
func Released() []string {
	return []string{
		"001_core.sql",
		"010_email.sql",
		"011_email_history.sql",
		"020_sms.sql",
		"021_sms_early_statuses.sql",
		"030_chat.sql",
		"040_slack.sql",
		"050_routing.sql",
		"051_assignment.sql",
		"055_sla.sql",
		"056_lifecycle_settings.sql",
		"057_surveys.sql",
		"060_web_sessions.sql",
		"061_canned_responses.sql",
		"062_search.sql",
		"063_inbox_views.sql",
		"064_audit_log.sql",
		"065_default_queue.sql",
		"070_agent_lifecycle.sql",
		"075_two_factor.sql",
		"080_password_resets.sql",
		"090_contacts.sql",
		"100_delivery_problems.sql",
		"101_email_poll_errors.sql",
		"105_webhooks.sql",
		"110_sms_attempts.sql",
		"115_webhook_log_prune.sql",
		"120_inbox_disabled.sql",
		"125_sandbox.sql",
		"130_contact_duplicates.sql",
		"135_profile_conditions.sql",
		"145_categories.sql",
		"150_dashboard_credit.sql",
		"160_followups.sql",
		"170_address_contact_index.sql",
		"172_contact_name_words.sql",
		"174_contact_reach.sql",
		"180_snooze.sql",
		"200_reports.sql",
		"210_notifications.sql",
		"220_auto_away.sql",
		"225_macros.sql",
	}
}
