"""SMS for the channels service: the provider port, its SMS.ru and Twilio adapters, phone
normalisation and segment counting. Pure modules; the channels service wires them."""
