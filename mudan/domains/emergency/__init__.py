"""Emergency command (应急指挥): plans, incidents, resources, duty roster and notifications."""
