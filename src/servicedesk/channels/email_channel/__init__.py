"""Email as a channel: a support mailbox read by IMAP, mail into incidents and comments, replies
and status changes back by SMTP, threaded, with loops and bounces kept out."""
