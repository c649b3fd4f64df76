"""The ESB: other systems (monitoring, billing, CRM) open incidents, comment, attach their
references and ask for status with CloudEvents on RabbitMQ, and hear what happens to them."""
