"""Invented names and sentences for the scale data set (French, varied enough for search to mean something)."""

from __future__ import annotations

import random

FIRST_NAMES = (
    "Camille Léa Manon Chloé Inès Jade Louise Emma Alice Lina Rose Anna Zoé Juliette Sarah Nina Lucie Clara Mila Eva "
    "Hugo Lucas Louis Gabriel Arthur Jules Adam Raphaël Nathan Léo Tom Noah Ethan Paul Sacha Martin Victor Timéo Axel Simon "
    "Nadia Karim Youssef Amina Fatou Mamadou Sofia Yanis Mehdi Aïcha Thi Minh Éloïse Hélène Bernard Françoise Michel Josiane"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia David Bertrand "
    "Roux Vincent Fournier Morel Girard André Lefèvre Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure "
    "Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez Fontaine Chevalier "
    "Robin Masson Sanchez Benali Nguyen Diallo Traoré Haddad Marchais"
).split()

SUBJECTS = [
    "la piste cyclable", "le bus de la ligne 3", "la place du marché", "l'école", "la médiathèque", "le parc", "la piscine",
    "les horaires du réseau", "le stationnement", "les jardins partagés", "la maison de santé", "le centre-bourg",
    "la zone d'activités", "les bords de Loire", "le gymnase", "la salle des fêtes", "les logements sociaux", "la gare",
    "le marché de producteurs", "les chemins de randonnée", "l'éclairage public", "le tri des déchets", "la crèche",
    "les commerces de proximité", "le covoiturage", "les arbres de la rue", "la fibre", "le skatepark", "la voie verte",
]
VERBS = [
    "mériterait d'être rénové", "manque d'entretien", "devrait ouvrir plus tard le soir", "gagnerait à être mieux signalé",
    "est trop loin pour les personnes âgées", "pourrait accueillir des associations", "est dangereux aux heures de pointe",
    "a beaucoup progressé depuis deux ans", "devrait être accessible aux fauteuils roulants", "mérite un vrai débat",
    "pourrait être partagé entre plusieurs communes", "devrait être végétalisé", "coûte trop cher aux familles",
]
ENDINGS = [
    "Merci de prendre en compte cet avis.", "Je propose d'en parler lors du prochain atelier.",
    "Les habitants du quartier sont nombreux à le dire.", "Avec les vélos, les enfants pourraient y aller seuls.",
    "Il faudrait consulter les commerçants.", "Une étude existe déjà à ce sujet.", "C'est une question d'équité entre communes.",
    "Les jeunes attendent cela depuis longtemps.", "Le budget participatif pourrait financer une partie.",
]
PLACES = ["Loirande", "Villebrune", "Bellerive", "Montclair", "Champfleury", "Rochemaure", "Vauclair", "Courval", "Haute-Rive"]
COMMUNE_PARTS = ("Saint-Martin Sainte-Anne Les Ormes La Garenne Le Plessis Beaulieu Montreuil Villeneuve Chênevert Les Prés "
                 "La Fontaine Bois-Joli Roche Val-Fleuri Pont Moulin Le Breuil La Varenne Rivière Coteaux").split()
COMMUNE_SUFFIXES = ["", "-sur-Loire", "-en-Val", "-les-Bois", "-le-Haut", "-sur-Brenne", "-la-Forêt", "-des-Champs"]
TOPIC_STARTS = ["Que faire pour", "Améliorer", "Repenser", "Une idée pour", "Sécuriser", "Rendre accessible", "Ouvrir", "Financer"]
ASSOCIATION_KINDS = ["Comité des fêtes", "Association sportive", "Amicale laïque", "Club de randonnée", "Jardins familiaux",
                     "Compagnie de théâtre", "Atelier vélo", "Association des parents d'élèves", "Banque alimentaire",
                     "École de musique", "Club de football", "Maison des jeunes"]


def person(rnd: random.Random) -> str:
    return f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}"


def sentence(rnd: random.Random) -> str:
    subject = rnd.choice(SUBJECTS)
    return f"À {rnd.choice(PLACES)}, {subject} {rnd.choice(VERBS)}."


def paragraph(rnd: random.Random) -> str:
    return " ".join([sentence(rnd) for _ in range(rnd.randint(1, 3))] + [rnd.choice(ENDINGS)])


def topic_title(rnd: random.Random) -> str:
    return f"{rnd.choice(TOPIC_STARTS)} {rnd.choice(SUBJECTS)} à {rnd.choice(PLACES)}"
